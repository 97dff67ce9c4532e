// Container health probe: exit 0 when GET /health answers 200, 1 otherwise.
// Used by the Dockerfile HEALTHCHECK so the image needs no curl or wget.
const port = process.env.PORT?.trim() || '3000';
const bind = process.env.HOST?.trim() || '0.0.0.0';
// A wildcard bind address is reachable on loopback; a specific one is probed directly.
const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
const timeoutMs = 4000;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  if (res.status !== 200) {
    process.stderr.write(`healthcheck: ${url} answered ${res.status}: ${body.slice(0, 500)}\n`);
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  process.stderr.write(`healthcheck: ${url} failed: ${err.message}\n`);
  process.exit(1);
}
