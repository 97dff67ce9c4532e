import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTcpListener, freePort, startApp, request } from './fixtures/helpers.js';

let tb;
before(async () => {
  tb = await startTcpListener();
});
after(async () => {
  await tb.close();
});

test('GET /health is 200 when the TigerBeetle address accepts TCP', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(s.close);
  const res = await request(s.base, '/health');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  const body = JSON.parse(res.body);
  assert.equal(body.status, 'ok');
  assert.equal(body.checks.tigerbeetle.ok, true);
  assert.equal(body.checks.tigerbeetle.address, tb.address);
  assert.equal(body.reason, undefined);
});

test('GET /health is 503 with the reason when TigerBeetle is not reachable', async (t) => {
  const closed = await freePort();
  const s = await startApp({ TIGERBEETLE_ADDRESS: `127.0.0.1:${closed}` });
  t.after(s.close);
  const res = await request(s.base, '/health');
  assert.equal(res.status, 503);
  const body = JSON.parse(res.body);
  assert.equal(body.status, 'unavailable');
  assert.equal(body.checks.tigerbeetle.ok, false);
  assert.match(body.reason, new RegExp(`tigerbeetle not reachable: 127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`));
});

test('GET /health follows the dependency going away and coming back', async (t) => {
  const dep = await startTcpListener();
  const s = await startApp({ TIGERBEETLE_ADDRESS: dep.address });
  t.after(s.close);
  assert.equal((await request(s.base, '/health')).status, 200);
  await dep.close();
  assert.equal((await request(s.base, '/health')).status, 503);
});

test('a bare port in TIGERBEETLE_ADDRESS means 127.0.0.1', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: String(tb.port) });
  t.after(s.close);
  const res = await request(s.base, '/health');
  assert.equal(res.status, 200, res.body);
});

test('with several replicas, one reachable replica is enough', async (t) => {
  const closed = await freePort();
  const s = await startApp({ TIGERBEETLE_ADDRESS: `127.0.0.1:${closed},${tb.address}` });
  t.after(s.close);
  const res = await request(s.base, '/health');
  assert.equal(res.status, 200, res.body);
  const { replicas } = JSON.parse(res.body).checks.tigerbeetle;
  assert.deepEqual(replicas.map((r) => r.ok), [false, true]);
});

test('HEAD /health has no body; POST /health is 405; unknown paths are 404', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(s.close);
  const head = await request(s.base, '/health', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  const post = await request(s.base, '/health', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  const missing = await request(s.base, '/nope?token=secret');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).error, 'not found');
});

test('concurrent /health requests share one dependency check', async (t) => {
  let calls = 0;
  const s = await startApp(
    { TIGERBEETLE_ADDRESS: tb.address },
    {
      checkTigerBeetle: async () => {
        calls += 1;
        await new Promise((r) => setTimeout(r, 100));
        return { ok: true };
      },
    },
  );
  t.after(s.close);
  const results = await Promise.all([1, 2, 3, 4, 5].map(() => request(s.base, '/health')));
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200]);
  assert.equal(calls, 1);
});

test('a throwing dependency probe yields 503, not a crash', async (t) => {
  const s = await startApp(
    { TIGERBEETLE_ADDRESS: tb.address },
    {
      checkTigerBeetle: async () => {
        throw new Error('boom');
      },
    },
  );
  t.after(s.close);
  const res = await request(s.base, '/health');
  assert.equal(res.status, 503);
  assert.match(JSON.parse(res.body).reason, /check failed: boom/);
});

test('GET / redirects to the operator UI', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(s.close);
  const res = await request(s.base, '/');
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, '/ui/');
});
