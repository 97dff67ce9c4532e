// Readiness checks for the connector's dependencies.
import net from 'node:net';
import { formatAddress } from './config.js';

/**
 * Open a TCP connection to {host, port} and close it again.
 * Resolves (never rejects) to {ok, address, latencyMs, error?}.
 */
export function checkTcp({ host, port }, timeoutMs) {
  const address = formatAddress({ host, port });
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1000n) / 1000;
  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ address, latencyMs: Math.round(elapsed() * 10) / 10, ...result });
    };
    const timer = setTimeout(
      () => finish({ ok: false, error: `no TCP connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (err) => finish({ ok: false, error: err.message }));
  });
}

/**
 * Check every configured TigerBeetle replica address. The dependency counts
 * as ready when at least one replica accepts a TCP connection (a client can
 * reach the cluster through any replica).
 */
export async function checkTigerBeetle(addresses, timeoutMs) {
  const replicas = await Promise.all(addresses.map((a) => checkTcp(a, timeoutMs)));
  const ok = replicas.some((r) => r.ok);
  const result = { ok, replicas };
  if (!ok) {
    result.error = replicas.map((r) => `${r.address}: ${r.error}`).join('; ');
  }
  return result;
}
