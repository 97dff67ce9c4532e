import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildUi } from '../ui/build.js';
import { summarize, formatUptime } from '../ui/src/status.js';
import { startTcpListener, startApp, request } from './fixtures/helpers.js';

let tmp;
let uiDir;
let tb;
before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'connector-ui-'));
  uiDir = path.join(tmp, 'ui');
  await buildUi({ outdir: uiDir });
  // A file next to (not inside) the UI dir that traversal must not reach.
  await writeFile(path.join(tmp, 'secret.txt'), 'TOP-SECRET\n');
  tb = await startTcpListener();
});
after(async () => {
  await tb.close();
  await rm(tmp, { recursive: true, force: true });
});

test('build:ui emits index.html plus minified JS and CSS, no source maps', async () => {
  const files = (await readdir(uiDir)).sort();
  assert.deepEqual(files, ['index.html', 'main.js', 'styles.css']);
  const js = await readFile(path.join(uiDir, 'main.js'), 'utf8');
  assert.doesNotMatch(js, /sourceMappingURL/);
  assert.doesNotMatch(js, /^import /m, 'the bundle inlines ui/src/status.js');
  assert.ok(js.split('\n').length <= 3, 'bundle is minified');
  assert.match(js, /\/health|\.\.\/health/);
  const html = await readFile(path.join(uiDir, 'index.html'), 'utf8');
  assert.match(html, /src="main\.js"/);
  assert.match(html, /href="styles\.css"/);
});

test('the service serves the built UI at /ui/ with the right content types', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address }, { uiDir });
  t.after(s.close);
  const index = await request(s.base, '/ui/');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(index.body, /M2M ILP Connector/);
  assert.match(index.headers['content-security-policy'], /default-src 'self'/);
  const js = await request(s.base, '/ui/main.js');
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(js.body, await readFile(path.join(uiDir, 'main.js'), 'utf8'));
  const css = await request(s.base, '/ui/styles.css');
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  const explicit = await request(s.base, '/ui/index.html');
  assert.equal(explicit.body, index.body);
  const head = await request(s.base, '/ui/main.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  const redirect = await request(s.base, '/ui');
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, '/ui/');
});

test('/ui/ does not serve files outside dist/ui', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address }, { uiDir });
  t.after(s.close);
  const attempts = [
    '/ui/../secret.txt',
    '/ui/..%2fsecret.txt',
    '/ui/%2e%2e/secret.txt',
    '/ui/%2e%2e%2fsecret.txt',
    '/ui/..%5csecret.txt',
    '/ui/%2fetc%2fpasswd',
    '/ui//etc/passwd',
    '/ui/main.js%00.html',
    '/ui/%E0%A4%A',
    '/ui/.hidden',
    '/ui/nope.js',
  ];
  for (const p of attempts) {
    const res = await request(s.base, p);
    assert.equal(res.status, 404, `${p} -> ${res.status}`);
    assert.doesNotMatch(res.body, /TOP-SECRET|root:/, p);
  }
});

test('/ui/ explains how to build when dist/ui is missing', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address }, { uiDir: path.join(tmp, 'not-built') });
  t.after(s.close);
  const res = await request(s.base, '/ui/');
  assert.equal(res.status, 404);
  assert.match(res.body, /npm run build:ui/);
});

test('status page summary: ready, not ready and unreachable', () => {
  const ready = summarize(200, {
    status: 'ok',
    version: '1.0.0',
    uptimeSeconds: 61,
    checks: { tigerbeetle: { ok: true, address: 'tb:3000', replicas: [{ ok: true }] } },
  });
  assert.equal(ready.label, 'ready');
  assert.equal(ready.tone, 'ok');
  assert.equal(ready.dependencies[0].detail, 'reachable (1/1 replicas)');
  const down = summarize(503, {
    status: 'unavailable',
    reason: 'tigerbeetle not reachable: x',
    checks: { tigerbeetle: { ok: false, error: 'ECONNREFUSED' } },
  });
  assert.equal(down.label, 'unavailable');
  assert.equal(down.tone, 'down');
  assert.equal(down.reason, 'tigerbeetle not reachable: x');
  assert.equal(down.dependencies[0].detail, 'ECONNREFUSED');
  const gone = summarize(0, null, new Error('Failed to fetch'));
  assert.equal(gone.label, 'unreachable');
  assert.match(gone.reason, /Failed to fetch/);
  assert.equal(summarize(503, { status: 'shutting_down' }).label, 'shutting down');
});

test('formatUptime', () => {
  assert.equal(formatUptime(5), '5s');
  assert.equal(formatUptime(65), '1m 5s');
  assert.equal(formatUptime(3 * 3600 + 120), '3h 2m');
  assert.equal(formatUptime(2 * 86400 + 3600), '2d 1h');
  assert.equal(formatUptime(undefined), '–');
});
