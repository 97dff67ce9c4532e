// Configuration for the connector, read from environment variables and
// validated once at start. loadConfig() is pure: it only reads the object it
// is given, so it can be tested with a table of plain objects.

export const KEY_BACKENDS = Object.freeze(['env', 'aws-kms', 'gcp-kms', 'azure-kv']);
export const PRODUCTION_KEY_BACKENDS = Object.freeze(KEY_BACKENDS.filter((b) => b !== 'env'));
export const NODE_ENVS = Object.freeze(['development', 'test', 'production']);
export const LOG_LEVELS = Object.freeze(['debug', 'info', 'warn', 'error']);

export const DEFAULTS = Object.freeze({
  NODE_ENV: 'development',
  HOST: '0.0.0.0',
  PORT: 3000,
  TIGERBEETLE_ADDRESS: 'tigerbeetle:3000',
  KEY_BACKEND: 'env', // only outside production
  LOG_LEVEL: 'info',
  HEALTH_CHECK_TIMEOUT_MS: 1000,
  SHUTDOWN_TIMEOUT_MS: 8000,
});

// The KMS settings each production key backend needs. Values are key
// identifiers, not key material, so naming them in errors is safe.
export const KEY_BACKEND_SETTINGS = Object.freeze({
  'aws-kms': [
    {
      name: 'AWS_KMS_KEY_ID',
      example: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      check: (v) => /^(arn:aws[\w-]*:kms:|alias\/|[0-9a-f]{8}-|mrk-)/i.test(v),
      rule: 'a key ARN, alias ARN, "alias/NAME", key id or multi-region key id',
    },
  ],
  'gcp-kms': [
    {
      name: 'GCP_KMS_KEY_NAME',
      example: 'projects/my-project/locations/europe-west1/keyRings/connector/cryptoKeys/settlement',
      check: (v) => /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+(\/cryptoKeyVersions\/\d+)?$/.test(v),
      rule: 'a full resource name projects/P/locations/L/keyRings/R/cryptoKeys/K',
    },
  ],
  'azure-kv': [
    {
      name: 'AZURE_KEY_VAULT_URL',
      example: 'https://my-vault.vault.azure.net',
      check: (v) => /^https:\/\/[^\s/]+\/?$/.test(v),
      rule: 'an https:// vault URL',
    },
    {
      name: 'AZURE_KEY_NAME',
      example: 'settlement-key',
      check: (v) => /^[0-9A-Za-z-]{1,127}$/.test(v),
      rule: 'a key name of letters, digits and dashes',
    },
  ],
});

// Every variable the service reads. test/env-example.test.js checks that
// .env.example documents each of them.
export const ENV_VARS = Object.freeze([
  ...Object.keys(DEFAULTS),
  ...Object.values(KEY_BACKEND_SETTINGS).flatMap((s) => s.map((x) => x.name)),
]);

export class ConfigError extends Error {
  constructor(problems) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// Read a variable; unset and empty-after-trim both count as "not set".
function read(env, name) {
  const raw = env[name];
  if (raw === undefined || raw === null) return undefined;
  const v = String(raw).trim();
  return v === '' ? undefined : v;
}

function parseIntVar(env, name, { min, max, def }, problems) {
  const v = read(env, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    problems.push(
      `${name}=${JSON.stringify(v)} is not an integer between ${min} and ${max}. ` +
        `Fix: set ${name} to a whole number in that range, or unset it to use the default ${def}.`,
    );
    return def;
  }
  return Number(v);
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);
export function isLoopbackHost(host) {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

// Parse one TigerBeetle address the way TigerBeetle's --addresses accepts it:
// "host:port", "[ipv6]:port", or a bare port meaning 127.0.0.1:port. Returns
// {host, port} or a string describing the problem.
export function parseAddress(text) {
  const s = text.trim();
  let host;
  let portText;
  if (/^\d+$/.test(s)) {
    host = '127.0.0.1';
    portText = s;
  } else {
    const m = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(s) || /^([A-Za-z0-9.-]+):(\d+)$/.exec(s);
    if (!m) {
      return 'expected host:port, [ipv6]:port or a bare port (a bare host needs its port, e.g. tigerbeetle:3000)';
    }
    host = m[1];
    portText = m[2];
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return `port ${portText} is not between 1 and 65535`;
  }
  return { host, port };
}

export function formatAddress({ host, port }) {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Validate the environment and return the connector configuration.
 * Throws ConfigError whose message names each bad variable, its value and
 * the fix. Never returns a partially valid config.
 * @param {Record<string, string | undefined>} env
 */
export function loadConfig(env) {
  if (!env || typeof env !== 'object') {
    throw new TypeError('loadConfig(env): env must be an object such as process.env');
  }
  const problems = [];

  const nodeEnv = read(env, 'NODE_ENV') ?? DEFAULTS.NODE_ENV;
  if (!NODE_ENVS.includes(nodeEnv)) {
    // A typo such as NODE_ENV=prod must not silently skip the production checks.
    problems.push(
      `NODE_ENV=${JSON.stringify(nodeEnv)} is not recognised. ` +
        `Fix: set NODE_ENV to one of ${NODE_ENVS.join(', ')}.`,
    );
  }
  const production = nodeEnv === 'production';

  const host = read(env, 'HOST') ?? DEFAULTS.HOST;
  const port = parseIntVar(env, 'PORT', { min: 1, max: 65535, def: DEFAULTS.PORT }, problems);

  const tbText = read(env, 'TIGERBEETLE_ADDRESS') ?? DEFAULTS.TIGERBEETLE_ADDRESS;
  const tigerbeetle = [];
  for (const part of tbText.split(',')) {
    const parsed = parseAddress(part);
    if (typeof parsed === 'string') {
      problems.push(
        `TIGERBEETLE_ADDRESS=${JSON.stringify(tbText)}: ${JSON.stringify(part.trim())} is invalid: ${parsed}. ` +
          'Fix: set TIGERBEETLE_ADDRESS to host:port (e.g. tigerbeetle:3000), a bare port, or a comma-separated list of them.',
      );
    } else if (isLoopbackHost(parsed.host) && parsed.port === port) {
      problems.push(
        `TIGERBEETLE_ADDRESS=${JSON.stringify(tbText)} points at this service's own PORT=${port} on loopback, ` +
          'so the readiness check would test the connector itself. ' +
          'Fix: point TIGERBEETLE_ADDRESS at the TigerBeetle replica, or change PORT.',
      );
    } else {
      tigerbeetle.push(parsed);
    }
  }

  let keyBackend = read(env, 'KEY_BACKEND');
  if (keyBackend === undefined) {
    if (production) {
      problems.push(
        'KEY_BACKEND is not set and NODE_ENV=production has no default key backend. ' +
          `Fix: set KEY_BACKEND to one of ${PRODUCTION_KEY_BACKENDS.join(', ')} and its key settings (see .env.example).`,
      );
    } else {
      keyBackend = DEFAULTS.KEY_BACKEND;
    }
  }
  const keySettings = {};
  if (keyBackend !== undefined) {
    if (!KEY_BACKENDS.includes(keyBackend)) {
      problems.push(
        `KEY_BACKEND=${JSON.stringify(keyBackend)} is not a known key backend. ` +
          `Fix: set KEY_BACKEND to one of ${(production ? PRODUCTION_KEY_BACKENDS : KEY_BACKENDS).join(', ')}.`,
      );
    } else if (keyBackend === 'env' && production) {
      problems.push(
        'KEY_BACKEND="env" is refused when NODE_ENV=production: keys held in environment variables are for development only. ' +
          `Fix: set KEY_BACKEND to one of ${PRODUCTION_KEY_BACKENDS.join(', ')} and its key settings (see .env.example).`,
      );
    } else {
      for (const setting of KEY_BACKEND_SETTINGS[keyBackend] ?? []) {
        const v = read(env, setting.name);
        if (v === undefined) {
          problems.push(
            `${setting.name} is not set but KEY_BACKEND=${keyBackend} needs it. ` +
              `Fix: set ${setting.name} to ${setting.rule}, e.g. ${setting.example}.`,
          );
        } else if (!setting.check(v)) {
          problems.push(
            `${setting.name}=${JSON.stringify(v)} is not ${setting.rule}. Fix: set it like ${setting.example}.`,
          );
        } else {
          keySettings[setting.name] = v;
        }
      }
    }
  }

  const logLevel = read(env, 'LOG_LEVEL') ?? DEFAULTS.LOG_LEVEL;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(
      `LOG_LEVEL=${JSON.stringify(logLevel)} is not a log level. Fix: set LOG_LEVEL to one of ${LOG_LEVELS.join(', ')}.`,
    );
  }

  const healthCheckTimeoutMs = parseIntVar(
    env,
    'HEALTH_CHECK_TIMEOUT_MS',
    { min: 1, max: 60000, def: DEFAULTS.HEALTH_CHECK_TIMEOUT_MS },
    problems,
  );
  const shutdownTimeoutMs = parseIntVar(
    env,
    'SHUTDOWN_TIMEOUT_MS',
    { min: 1, max: 600000, def: DEFAULTS.SHUTDOWN_TIMEOUT_MS },
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    nodeEnv,
    production,
    host,
    port,
    tigerbeetle: Object.freeze(tigerbeetle.map((a) => Object.freeze(a))),
    keyBackend,
    keySettings: Object.freeze(keySettings),
    logLevel,
    healthCheckTimeoutMs,
    shutdownTimeoutMs,
  });
}
