// The connector's HTTP application: routing, health, metrics, the operator
// UI and graceful shutdown. server.js wires it to the process; tests create
// it directly on an ephemeral port.
import http from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { checkTigerBeetle } from './health.js';
import { createMetrics } from './metrics.js';
import { serveUi } from './static.js';
import { silentLogger } from './logger.js';
import { formatAddress } from './config.js';

export const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));
const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * @param {object} opts
 * @param {ReturnType<import('./config.js').loadConfig>} opts.config
 * @param {ReturnType<import('./logger.js').createLogger>} [opts.logger]
 * @param {string} [opts.uiDir] directory holding the built UI (default dist/ui)
 * @param {() => Promise<{ok: boolean, error?: string}>} [opts.checkTigerBeetle]
 *   readiness probe override (tests use it to simulate a slow dependency)
 */
export function createApp({ config, logger = silentLogger, uiDir = DEFAULT_UI_DIR, checkTigerBeetle: probe } = {}) {
  if (!config) throw new TypeError('createApp: config is required (use loadConfig(process.env))');
  const root = path.resolve(uiDir);
  const tbAddresses = config.tigerbeetle.map(formatAddress).join(',');
  const startedAt = Date.now();
  let closing = false;

  const runProbe = probe ?? (() => checkTigerBeetle(config.tigerbeetle, config.healthCheckTimeoutMs));
  // Concurrent callers share one in-flight check, so a burst of /health or
  // scrapes opens at most one connection per replica.
  let inflight = null;
  const checkDependencies = () => {
    if (!inflight) {
      inflight = Promise.resolve()
        .then(runProbe)
        .catch((err) => ({ ok: false, error: `check failed: ${err.message}` }))
        .then((tb) => {
          metrics.setDependencyUp('tigerbeetle', tb.ok);
          return { tigerbeetle: { address: tbAddresses, ...tb } };
        })
        .finally(() => {
          inflight = null;
        });
    }
    return inflight;
  };

  const metrics = createMetrics({
    dependencyCheck: async () => {
      const checks = await checkDependencies();
      return Object.fromEntries(Object.entries(checks).map(([k, v]) => [k, v.ok]));
    },
  });

  async function handleHealth(req, res) {
    const checks = await checkDependencies();
    const failing = Object.entries(checks).filter(([, c]) => !c.ok);
    const body = {
      status: 'ok',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      checks,
    };
    if (closing) {
      body.status = 'shutting_down';
      body.reason = 'the connector is shutting down';
    } else if (failing.length > 0) {
      body.status = 'unavailable';
      body.reason = failing.map(([name, c]) => `${name} not reachable: ${c.error}`).join('; ');
    }
    return sendJson(req, res, body.status === 'ok' ? 200 : 503, body);
  }

  async function handleMetrics(req, res) {
    const text = await metrics.render();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
    return 200;
  }

  function route(pathname) {
    if (pathname === '/health') return { name: '/health', handler: handleHealth };
    if (pathname === '/metrics') return { name: '/metrics', handler: handleMetrics };
    if (pathname === '/ui') return { name: '/ui', handler: (req, res) => redirect(res, '/ui/', 301) };
    if (pathname.startsWith('/ui/')) {
      return { name: '/ui', handler: (req, res) => serveUi(req, res, root, pathname.slice('/ui/'.length)) };
    }
    if (pathname === '/') return { name: '/', handler: (req, res) => redirect(res, '/ui/', 302) };
    return { name: 'unmatched', handler: (req, res) => sendJson(req, res, 404, { error: 'not found' }) };
  }

  async function onRequest(req, res) {
    const started = process.hrtime.bigint();
    const method = KNOWN_METHODS.has(req.method) ? req.method : 'OTHER';
    // Only the path is used (and logged); query strings may carry tokens.
    const pathname = (req.url ?? '/').split('?')[0];
    const { name, handler } = route(pathname);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (closing) res.setHeader('Connection', 'close');
    let status;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD' && name !== 'unmatched') {
        res.setHeader('Allow', 'GET, HEAD');
        status = sendJson(req, res, 405, { error: `method ${req.method} not allowed` });
      } else {
        status = await handler(req, res);
      }
    } catch (err) {
      logger.error('request failed', { method, route: name, err });
      if (!res.headersSent) {
        status = sendJson(req, res, 500, { error: 'internal error' });
      } else {
        res.destroy();
        status = 500;
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeRequest({ method, route: name, status, seconds });
    const quiet = name === '/health' || name === '/metrics';
    logger[quiet && status < 500 ? 'debug' : 'info']('request', {
      method,
      path: pathname,
      route: name,
      status,
      durationMs: Math.round(seconds * 1e4) / 10,
    });
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((err) => {
      logger.error('request handler crashed', { err });
      res.destroy();
    });
  });

  return {
    server,
    metrics,
    checkDependencies,
    get closing() {
      return closing;
    },
    /** Listen and resolve to the bound {address, port}. */
    async listen(port = config.port, host = config.host) {
      server.listen(port, host);
      await once(server, 'listening');
      return server.address();
    },
    /**
     * Stop accepting connections, let in-flight requests finish, close idle
     * keep-alive sockets. After timeoutMs remaining sockets are destroyed.
     * Resolves to {graceful: boolean}.
     */
    async shutdown(timeoutMs = config.shutdownTimeoutMs) {
      closing = true;
      if (!server.listening) return { graceful: true };
      const closed = new Promise((resolve) => server.close(() => resolve(true)));
      server.closeIdleConnections();
      let timer;
      const timedOut = new Promise((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const graceful = await Promise.race([closed, timedOut]);
      clearTimeout(timer);
      if (!graceful) {
        server.closeAllConnections();
        await closed;
      }
      return { graceful };
    },
  };
}

function sendJson(req, res, status, body) {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
  return status;
}

function redirect(res, location, status) {
  res.writeHead(status, { Location: location, 'Content-Length': 0 });
  res.end();
  return status;
}
