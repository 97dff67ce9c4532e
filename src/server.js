// Process entry point: validate configuration, start the HTTP server and
// shut down gracefully on SIGTERM/SIGINT. Run with `node src/server.js`.
import { loadConfig, ConfigError, formatAddress } from './config.js';
import { createLogger } from './logger.js';
import { createApp } from './app.js';

function fail(message) {
  process.stderr.write(`m2m-ilp-connector: ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

const logger = createLogger({ level: config.logLevel, base: { service: 'm2m-ilp-connector' } });
const app = createApp({ config, logger });

process.on('uncaughtException', (err) => {
  logger.error('uncaught exception, exiting', { err });
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  logger.error('unhandled promise rejection, exiting', { err });
  process.exit(1);
});

let shuttingDown = false;
async function shutdown(signal) {
  if (shuttingDown) {
    logger.warn('second signal during shutdown, exiting now', { signal });
    process.exit(1);
  }
  shuttingDown = true;
  logger.info('shutdown started', { signal, timeoutMs: config.shutdownTimeoutMs });
  const { graceful } = await app.shutdown(config.shutdownTimeoutMs);
  if (graceful) {
    logger.info('shutdown complete', { signal });
    process.exit(0);
  }
  logger.error('shutdown timed out, open connections were closed', {
    signal,
    timeoutMs: config.shutdownTimeoutMs,
  });
  process.exit(1);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  const addr = await app.listen();
  logger.info('listening', {
    host: addr.address,
    port: addr.port,
    nodeEnv: config.nodeEnv,
    keyBackend: config.keyBackend,
    tigerbeetle: config.tigerbeetle.map(formatAddress),
    node: process.version,
  });
} catch (err) {
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
    fail(
      `cannot listen on HOST=${config.host} PORT=${config.port}: ${err.code}. ` +
        'Fix: choose a free PORT, or a HOST address this machine has.',
    );
  }
  throw err;
}
