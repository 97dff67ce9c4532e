// Minimal structured logger: one JSON object per line on stdout.
import { LOG_LEVELS } from './config.js';

/**
 * @param {{ level?: string, stream?: { write(s: string): unknown }, base?: object }} [opts]
 */
export function createLogger({ level = 'info', stream = process.stdout, base = {} } = {}) {
  const threshold = LOG_LEVELS.indexOf(level);
  if (threshold < 0) throw new Error(`createLogger: unknown level ${JSON.stringify(level)}`);
  const log = (lvl, msg, fields = {}) => {
    if (LOG_LEVELS.indexOf(lvl) < threshold) return;
    const entry = { time: new Date().toISOString(), level: lvl, msg, ...base, ...fields };
    if (fields.err instanceof Error) {
      entry.err = { name: fields.err.name, message: fields.err.message, code: fields.err.code };
    }
    stream.write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}

export const silentLogger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });
