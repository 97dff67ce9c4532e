import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTcpListener, freePort, startApp, request, metricValue } from './fixtures/helpers.js';

let tb;
before(async () => {
  tb = await startTcpListener();
});
after(async () => {
  await tb.close();
});

test('GET /metrics is Prometheus text with default process metrics', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(s.close);
  const res = await request(s.base, '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
    assert.match(res.body, new RegExp(`^${name}[ {]`, 'm'), `missing ${name}`);
  }
  for (const name of ['http_requests_total', 'http_request_duration_seconds', 'connector_dependency_up']) {
    assert.match(res.body, new RegExp(`^# TYPE ${name} `, 'm'), `missing TYPE line for ${name}`);
  }
});

test('http_requests_total and the duration histogram count each request', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(s.close);
  const labels = { method: 'GET', route: '/health', status: '200' };
  const before = metricValue((await request(s.base, '/metrics')).body, 'http_requests_total', labels) ?? 0;
  await request(s.base, '/health');
  await request(s.base, '/health');
  const text = (await request(s.base, '/metrics')).body;
  assert.equal(metricValue(text, 'http_requests_total', labels), before + 2);
  assert.equal(metricValue(text, 'http_request_duration_seconds_count', labels), before + 2);
  assert.equal(metricValue(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }), before + 2);
  assert.ok(metricValue(text, 'http_request_duration_seconds_sum', labels) > 0);
  // The previous scrape itself was counted too.
  assert.ok(metricValue(text, 'http_requests_total', { method: 'GET', route: '/metrics', status: '200' }) >= 1);
});

test('unknown paths and methods do not create unbounded label values', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(s.close);
  await request(s.base, '/a/b/c/12345');
  await request(s.base, '/health', { method: 'PROPFIND' });
  const text = (await request(s.base, '/metrics')).body;
  assert.equal(metricValue(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1);
  assert.equal(metricValue(text, 'http_requests_total', { method: 'OTHER', route: '/health', status: '405' }), 1);
  assert.doesNotMatch(text, /12345|PROPFIND/);
});

test('connector_dependency_up is 1 when TigerBeetle is reachable and 0 when not', async (t) => {
  const up = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(up.close);
  const closed = await freePort();
  const down = await startApp({ TIGERBEETLE_ADDRESS: `127.0.0.1:${closed}` });
  t.after(down.close);
  const dep = { dependency: 'tigerbeetle' };
  assert.equal(metricValue((await request(up.base, '/metrics')).body, 'connector_dependency_up', dep), 1);
  assert.equal(metricValue((await request(down.base, '/metrics')).body, 'connector_dependency_up', dep), 0);
});

test('two apps in one process keep separate registries', async (t) => {
  const a = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  const b = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(a.close);
  t.after(b.close);
  await request(a.base, '/health');
  const text = (await request(b.base, '/metrics')).body;
  assert.equal(metricValue(text, 'http_requests_total', { route: '/health' }), undefined);
});
