import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ENV_VARS, loadConfig } from '../src/config.js';

const text = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
const assignments = new Map(
  [...text.matchAll(/^\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2].trim()]),
);

test('.env.example documents every variable the service reads', () => {
  const missing = ENV_VARS.filter((v) => !assignments.has(v));
  assert.deepEqual(missing, [], `add these to .env.example: ${missing.join(', ')}`);
});

test('.env.example sets each variable once', () => {
  const names = [...text.matchAll(/^\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  assert.deepEqual(dupes, []);
});

test('.env.example opens with the development-only warning', () => {
  const head = text.split('\n').slice(0, 25).join('\n');
  assert.match(head, /WARNING/);
  assert.match(head, /KEY_BACKEND=env/);
  assert.match(head, /Grafana/i);
  assert.match(head, /never|NEVER/);
  assert.ok(text.indexOf('WARNING') < text.search(/^[A-Z_]+=/m), 'the warning comes before any setting');
});

test('.env.example leaves GRAFANA_PASSWORD empty (must be set) and has a compose section', () => {
  assert.equal(assignments.get('GRAFANA_PASSWORD'), '');
  assert.match(text, /Compose \/ monitoring/);
  for (const v of ['TIGERBEETLE_ADDRESS', 'NODE_ENV', 'KEY_BACKEND', 'AWS_KMS_KEY_ID', 'GCP_KMS_KEY_NAME', 'AZURE_KEY_VAULT_URL']) {
    assert.ok(assignments.has(v), v);
  }
  assert.doesNotMatch(text, /^GRAFANA_PASSWORD=admin/m);
});

test('the .env.example values are a valid development configuration', () => {
  const env = Object.fromEntries(assignments);
  const config = loadConfig(env);
  assert.equal(config.production, false);
});

test('.env.example documents every variable the compose files interpolate', async () => {
  const { readdir } = await import('node:fs/promises');
  const root = new URL('../', import.meta.url);
  const composeFiles = (await readdir(root)).filter((f) => /^(docker-)?compose[\w.-]*\.ya?ml$/.test(f));
  const missing = new Set();
  for (const f of composeFiles) {
    const yml = await readFile(new URL(f, root), 'utf8');
    for (const m of yml.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)) {
      if (!assignments.has(m[1])) missing.add(`${m[1]} (${f})`);
    }
  }
  assert.deepEqual([...missing], [], `add these to .env.example: ${[...missing].join(', ')}`);
});
