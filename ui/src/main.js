// Operator status page: polls /health and renders the result. Everything is
// written with textContent, so nothing from the response is parsed as HTML.
import { summarize, formatUptime } from './status.js';

const REFRESH_MS = 5000;
const healthUrl = new URL('../health', document.baseURI);

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.append(td);
}

function render(summary) {
  const overall = document.getElementById('overall');
  overall.textContent = summary.label;
  overall.className = `badge badge-${summary.tone}`;
  const reason = document.getElementById('reason');
  reason.hidden = !summary.reason;
  reason.textContent = summary.reason ?? '';
  const tbody = document.querySelector('#checks tbody');
  tbody.replaceChildren();
  for (const dep of summary.dependencies) {
    const row = document.createElement('tr');
    cell(row, dep.name);
    cell(row, dep.ok ? 'up' : 'down');
    cell(row, dep.address ?? '');
    cell(row, dep.detail);
    tbody.append(row);
  }
  document.getElementById('version').textContent = summary.version ?? '–';
  document.getElementById('uptime').textContent = formatUptime(summary.uptimeSeconds);
  document.getElementById('checked').textContent = new Date().toLocaleTimeString();
}

async function refresh() {
  let summary;
  try {
    const res = await fetch(healthUrl, { cache: 'no-store', signal: AbortSignal.timeout(4000) });
    summary = summarize(res.status, await res.json());
  } catch (err) {
    summary = summarize(0, null, err);
  }
  render(summary);
}

refresh();
setInterval(refresh, REFRESH_MS);
