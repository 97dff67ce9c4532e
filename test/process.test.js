import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startTcpListener, freePort, spawnServer, HEALTHCHECK_JS, REPO_ROOT } from './fixtures/helpers.js';

let tb;
before(async () => {
  tb = await startTcpListener();
});
after(async () => {
  await tb.close();
});

const badConfigs = [
  [{ NODE_ENV: 'production', KEY_BACKEND: 'env' }, /KEY_BACKEND="env" is refused when NODE_ENV=production.*Fix:/],
  [{ NODE_ENV: 'production' }, /KEY_BACKEND is not set/],
  [{ KEY_BACKEND: 'hsm' }, /KEY_BACKEND="hsm" is not a known key backend/],
  [{ PORT: '99999' }, /PORT="99999"/],
  [{ TIGERBEETLE_ADDRESS: 'tigerbeetle' }, /TIGERBEETLE_ADDRESS="tigerbeetle"/],
];

for (const [env, pattern] of badConfigs) {
  test(`start with ${JSON.stringify(env)} exits 1 and says why on stderr`, async (t) => {
    const proc = spawnServer(t, { PORT: String(await freePort()), ...env });
    assert.equal(await proc.ready, 'exited');
    const { code } = await proc.exited;
    assert.equal(code, 1);
    assert.match(proc.out.stderr, pattern);
    assert.match(proc.out.stderr, /^m2m-ilp-connector: invalid configuration/);
    assert.doesNotMatch(proc.out.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(proc.out.stdout, '', 'nothing started, nothing logged');
  });
}

test('a busy PORT is reported by name, not as a stack trace', async (t) => {
  const port = tb.port; // already taken by the stand-in listener
  const proc = spawnServer(t, { PORT: String(port), HOST: '127.0.0.1', TIGERBEETLE_ADDRESS: '127.0.0.1:1' });
  assert.equal(await proc.ready, 'exited');
  assert.equal((await proc.exited).code, 1);
  assert.match(proc.out.stderr, new RegExp(`PORT=${port}: EADDRINUSE`));
  assert.doesNotMatch(proc.out.stderr, /^\s+at /m);
});

function runHealthcheck(env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HEALTHCHECK_JS], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('src/healthcheck.js (the image HEALTHCHECK) exits 0 when ready, 1 when not', async (t) => {
  const readyPort = await freePort();
  const ready = spawnServer(t, { PORT: String(readyPort), TIGERBEETLE_ADDRESS: tb.address });
  const downPort = await freePort();
  const down = spawnServer(t, { PORT: String(downPort), TIGERBEETLE_ADDRESS: `127.0.0.1:${await freePort()}` });
  try {
    assert.equal(await ready.ready, 'listening', ready.out.stderr);
    assert.equal(await down.ready, 'listening', down.out.stderr);
    assert.equal((await runHealthcheck({ PORT: String(readyPort) })).code, 0);
    const notReady = await runHealthcheck({ PORT: String(downPort) });
    assert.equal(notReady.code, 1);
    assert.match(notReady.stderr, /answered 503/);
    const nobody = await runHealthcheck({ PORT: String(await freePort()) });
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /failed/);
  } finally {
    ready.child.kill('SIGTERM');
    down.child.kill('SIGTERM');
    await Promise.all([ready.exited, down.exited]);
  }
});
