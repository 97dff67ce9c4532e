// Pure helpers for the status page (no DOM), so they can be unit tested.

/**
 * Turn a /health response into what the page shows.
 * @param {number} httpStatus 0 when the request itself failed
 * @param {any} body parsed JSON body or null
 * @param {Error} [error]
 */
export function summarize(httpStatus, body, error) {
  if (!body || typeof body !== 'object') {
    return {
      label: 'unreachable',
      tone: 'down',
      reason: error ? `could not load /health: ${error.message}` : `unexpected response (HTTP ${httpStatus})`,
      dependencies: [],
    };
  }
  const dependencies = Object.entries(body.checks ?? {}).map(([name, check]) => ({
    name,
    ok: Boolean(check.ok),
    address: check.address,
    detail: check.ok
      ? `reachable${Array.isArray(check.replicas) ? ` (${check.replicas.filter((r) => r.ok).length}/${check.replicas.length} replicas)` : ''}`
      : String(check.error ?? 'not reachable'),
  }));
  const ok = httpStatus === 200 && body.status === 'ok';
  return {
    label: ok ? 'ready' : String(body.status ?? 'not ready').replace(/_/g, ' '),
    tone: ok ? 'ok' : 'down',
    reason: ok ? undefined : body.reason,
    version: body.version,
    uptimeSeconds: body.uptimeSeconds,
    dependencies,
  };
}

export function formatUptime(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
