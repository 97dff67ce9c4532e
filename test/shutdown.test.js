import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { startTcpListener, startApp, request, spawnServer, freePort, logLines } from './fixtures/helpers.js';

let tb;
before(async () => {
  tb = await startTcpListener();
});
after(async () => {
  await tb.close();
});

// A dependency probe that takes `ms`, so /health stays in flight that long.
const slowProbe = (ms) => async () => {
  await new Promise((r) => setTimeout(r, ms));
  return { ok: true };
};

test('shutdown lets an in-flight request finish and refuses new connections', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address }, { checkTigerBeetle: slowProbe(400) });
  t.after(s.close);
  const inflight = request(s.base, '/health');
  await new Promise((r) => setTimeout(r, 100)); // the request is now being handled
  const shutdown = s.app.shutdown(5000);
  const res = await inflight;
  assert.equal(res.status, 503, 'a request still in flight at shutdown reports shutting_down');
  assert.equal(JSON.parse(res.body).status, 'shutting_down');
  assert.equal(res.headers.connection, 'close');
  assert.deepEqual(await shutdown, { graceful: true });
  await assert.rejects(request(s.base, '/health'), /ECONNREFUSED/);
});

test('shutdown closes idle keep-alive connections instead of waiting for them', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address });
  t.after(s.close);
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 60000 });
  const res = await request(s.base, '/health', { agent });
  assert.equal(res.status, 200);
  const started = Date.now();
  assert.deepEqual(await s.app.shutdown(5000), { graceful: true });
  assert.ok(Date.now() - started < 1000, 'idle keep-alive socket did not hold up shutdown');
  agent.destroy();
});

test('shutdown gives up after the timeout and reports it', async (t) => {
  const s = await startApp({ TIGERBEETLE_ADDRESS: tb.address }, { checkTigerBeetle: slowProbe(3000) });
  t.after(s.close);
  const inflight = request(s.base, '/health').catch((err) => err);
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  assert.deepEqual(await s.app.shutdown(300), { graceful: false });
  assert.ok(Date.now() - started < 2000);
  const outcome = await inflight;
  assert.ok(outcome instanceof Error, 'the stuck request was cut off');
});

test('the real process exits 0 on SIGTERM, also with an idle keep-alive client', async (t) => {
  const port = await freePort();
  const proc = spawnServer(t, { PORT: String(port), HOST: '127.0.0.1', TIGERBEETLE_ADDRESS: tb.address, NODE_ENV: 'test' });
  assert.equal(await proc.ready, 'listening', proc.out.stderr);
  const agent = new http.Agent({ keepAlive: true });
  assert.equal((await request(`http://127.0.0.1:${port}`, '/health', { agent })).status, 200);
  proc.child.kill('SIGTERM');
  const { code, signal } = await proc.exited;
  agent.destroy();
  assert.equal(signal, null);
  assert.equal(code, 0, proc.out.stderr);
  const msgs = logLines(proc.out.stdout).map((l) => l.msg);
  assert.deepEqual(msgs.filter((m) => m.startsWith('shutdown')), ['shutdown started', 'shutdown complete']);
});

// Open a raw connection and send only part of a request: the server counts
// the connection as busy (not idle), so shutdown must wait for it.
async function startPartialRequest(port) {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  let response = '';
  sock.setEncoding('utf8').on('data', (d) => (response += d));
  sock.on('error', () => {});
  sock.write('GET /health HTTP/1.1\r\nHost: connector\r\n');
  return { sock, finish: () => sock.write('\r\n'), response: () => response };
}

test('the real process waits for an in-flight request after SIGTERM, then exits 0', async (t) => {
  const port = await freePort();
  const proc = spawnServer(t, { PORT: String(port), HOST: '127.0.0.1', TIGERBEETLE_ADDRESS: tb.address });
  assert.equal(await proc.ready, 'listening', proc.out.stderr);
  const req = await startPartialRequest(port);
  t.after(() => req.sock.destroy());
  await new Promise((r) => setTimeout(r, 100));
  proc.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(proc.child.exitCode, null, 'exited while a request was still in flight');
  await assert.rejects(request(`http://127.0.0.1:${port}`, '/health'), /ECONNREFUSED/, 'new connections are refused');
  req.finish();
  const { code } = await proc.exited;
  assert.equal(code, 0, proc.out.stderr);
  await new Promise((r) => setTimeout(r, 50));
  const [head, body] = req.response().split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 503 /);
  assert.match(head, /\r\nConnection: close\r\n/i);
  assert.equal(JSON.parse(body).status, 'shutting_down');
});

test('the real process exits 1 when in-flight requests outlast SHUTDOWN_TIMEOUT_MS', async (t) => {
  const port = await freePort();
  const proc = spawnServer(t, {
    PORT: String(port),
    HOST: '127.0.0.1',
    TIGERBEETLE_ADDRESS: tb.address,
    SHUTDOWN_TIMEOUT_MS: '300',
  });
  assert.equal(await proc.ready, 'listening', proc.out.stderr);
  const req = await startPartialRequest(port);
  t.after(() => req.sock.destroy());
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  proc.child.kill('SIGTERM');
  const { code } = await proc.exited;
  assert.equal(code, 1);
  assert.ok(Date.now() - started < 5000);
  assert.ok(logLines(proc.out.stdout).some((l) => l.msg === 'shutdown timed out, open connections were closed'));
});

test('the real process exits 0 on SIGINT', async (t) => {
  const port = await freePort();
  const proc = spawnServer(t, { PORT: String(port), HOST: '127.0.0.1', TIGERBEETLE_ADDRESS: tb.address });
  assert.equal(await proc.ready, 'listening', proc.out.stderr);
  proc.child.kill('SIGINT');
  const { code } = await proc.exited;
  assert.equal(code, 0, proc.out.stderr);
});

test('the real process writes one JSON object per log line', async (t) => {
  const port = await freePort();
  const proc = spawnServer(t, { PORT: String(port), HOST: '127.0.0.1', TIGERBEETLE_ADDRESS: tb.address, LOG_LEVEL: 'debug' });
  assert.equal(await proc.ready, 'listening', proc.out.stderr);
  await request(`http://127.0.0.1:${port}`, '/health?api_key=should-not-be-logged');
  proc.child.kill('SIGTERM');
  await proc.exited;
  const lines = logLines(proc.out.stdout);
  const listening = lines.find((l) => l.msg === 'listening');
  assert.equal(listening.port, port);
  assert.equal(listening.service, 'm2m-ilp-connector');
  assert.ok(lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string'));
  const reqLine = lines.find((l) => l.msg === 'request');
  assert.equal(reqLine.path, '/health');
  assert.doesNotMatch(proc.out.stdout, /should-not-be-logged/);
});
