import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError, parseAddress, ENV_VARS, DEFAULTS } from '../src/config.js';

const AWS = { KEY_BACKEND: 'aws-kms', AWS_KMS_KEY_ID: 'alias/connector-settlement' };
const GCP = {
  KEY_BACKEND: 'gcp-kms',
  GCP_KMS_KEY_NAME: 'projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k',
};
const AZURE = { KEY_BACKEND: 'azure-kv', AZURE_KEY_VAULT_URL: 'https://v.vault.azure.net', AZURE_KEY_NAME: 'settle-1' };

// [name, env, expected config subset | {error: [substrings the message must contain]}]
const cases = [
  ['empty env gives development defaults', {}, {
    nodeEnv: 'development', port: 3000, host: '0.0.0.0', keyBackend: 'env', logLevel: 'info',
    tigerbeetle: [{ host: 'tigerbeetle', port: 3000 }], production: false,
  }],
  ['empty strings count as unset', { PORT: '', KEY_BACKEND: '  ', TIGERBEETLE_ADDRESS: '' }, { port: 3000, keyBackend: 'env' }],
  ['PORT parsed', { PORT: '8080' }, { port: 8080 }],
  ['PORT upper bound', { PORT: '65535' }, { port: 65535 }],
  ['PORT 0 refused', { PORT: '0' }, { error: ['PORT="0"', 'between 1 and 65535', 'Fix:'] }],
  ['PORT too big', { PORT: '65536' }, { error: ['PORT="65536"'] }],
  ['PORT not a number', { PORT: 'http' }, { error: ['PORT="http"', 'Fix: set PORT'] }],
  ['PORT negative', { PORT: '-1' }, { error: ['PORT="-1"'] }],
  ['PORT fractional', { PORT: '80.5' }, { error: ['PORT="80.5"'] }],
  ['bare port means 127.0.0.1', { TIGERBEETLE_ADDRESS: '3001' }, { tigerbeetle: [{ host: '127.0.0.1', port: 3001 }] }],
  ['host:port', { TIGERBEETLE_ADDRESS: 'tb-0.internal:3000' }, { tigerbeetle: [{ host: 'tb-0.internal', port: 3000 }] }],
  ['ipv6', { TIGERBEETLE_ADDRESS: '[::1]:3001' }, { tigerbeetle: [{ host: '::1', port: 3001 }] }],
  ['replica list', { TIGERBEETLE_ADDRESS: '10.0.0.1:3000, 10.0.0.2:3000,3003' }, {
    tigerbeetle: [{ host: '10.0.0.1', port: 3000 }, { host: '10.0.0.2', port: 3000 }, { host: '127.0.0.1', port: 3003 }],
  }],
  ['host without port refused', { TIGERBEETLE_ADDRESS: 'tigerbeetle' }, { error: ['TIGERBEETLE_ADDRESS="tigerbeetle"', 'host:port'] }],
  ['address port out of range', { TIGERBEETLE_ADDRESS: 'tb:70000' }, { error: ['TIGERBEETLE_ADDRESS', '70000'] }],
  ['url refused', { TIGERBEETLE_ADDRESS: 'http://tb:3000' }, { error: ['TIGERBEETLE_ADDRESS="http://tb:3000"'] }],
  ['address equal to own port on loopback refused', { PORT: '3000', TIGERBEETLE_ADDRESS: '3000' }, {
    error: ['TIGERBEETLE_ADDRESS="3000"', "own PORT=3000"],
  }],
  ['same port on another host is fine', { PORT: '3000', TIGERBEETLE_ADDRESS: 'tigerbeetle:3000' }, { port: 3000 }],
  ['unknown backend refused', { KEY_BACKEND: 'vault' }, { error: ['KEY_BACKEND="vault"', 'env, aws-kms, gcp-kms, azure-kv'] }],
  ['backend is case sensitive', { KEY_BACKEND: 'AWS-KMS' }, { error: ['KEY_BACKEND="AWS-KMS"'] }],
  ['env backend in development', { NODE_ENV: 'development', KEY_BACKEND: 'env' }, { keyBackend: 'env' }],
  ['env backend in test', { NODE_ENV: 'test', KEY_BACKEND: 'env' }, { keyBackend: 'env' }],
  ['env backend refused in production', { NODE_ENV: 'production', KEY_BACKEND: 'env' }, {
    error: ['KEY_BACKEND="env"', 'NODE_ENV=production', 'Fix: set KEY_BACKEND to one of aws-kms, gcp-kms, azure-kv'],
  }],
  ['production needs an explicit backend', { NODE_ENV: 'production' }, { error: ['KEY_BACKEND is not set', 'aws-kms'] }],
  ['unknown backend in production lists only KMS backends', { NODE_ENV: 'production', KEY_BACKEND: 'file' }, {
    error: ['KEY_BACKEND="file"', 'one of aws-kms, gcp-kms, azure-kv.'],
  }],
  ['NODE_ENV typo refused (would skip production checks)', { NODE_ENV: 'prod', KEY_BACKEND: 'env' }, {
    error: ['NODE_ENV="prod"', 'development, test, production'],
  }],
  ['aws-kms in production', { NODE_ENV: 'production', ...AWS }, {
    production: true, keyBackend: 'aws-kms', keySettings: { AWS_KMS_KEY_ID: 'alias/connector-settlement' },
  }],
  ['aws-kms needs AWS_KMS_KEY_ID', { NODE_ENV: 'production', KEY_BACKEND: 'aws-kms' }, {
    error: ['AWS_KMS_KEY_ID is not set', 'KEY_BACKEND=aws-kms'],
  }],
  ['aws key id shape', { ...AWS, AWS_KMS_KEY_ID: 'my key' }, { error: ['AWS_KMS_KEY_ID="my key"'] }],
  ['gcp-kms in production', { NODE_ENV: 'production', ...GCP }, { keyBackend: 'gcp-kms' }],
  ['gcp key name shape', { ...GCP, GCP_KMS_KEY_NAME: 'settlement' }, { error: ['GCP_KMS_KEY_NAME="settlement"', 'projects/'] }],
  ['azure-kv in production', { NODE_ENV: 'production', ...AZURE }, { keyBackend: 'azure-kv' }],
  ['azure needs https', { ...AZURE, AZURE_KEY_VAULT_URL: 'http://v.vault.azure.net' }, { error: ['AZURE_KEY_VAULT_URL="http://v.vault.azure.net"'] }],
  ['azure needs key name', { KEY_BACKEND: 'azure-kv', AZURE_KEY_VAULT_URL: 'https://v.vault.azure.net' }, { error: ['AZURE_KEY_NAME is not set'] }],
  ['LOG_LEVEL', { LOG_LEVEL: 'debug' }, { logLevel: 'debug' }],
  ['bad LOG_LEVEL', { LOG_LEVEL: 'verbose' }, { error: ['LOG_LEVEL="verbose"'] }],
  ['timeouts', { HEALTH_CHECK_TIMEOUT_MS: '250', SHUTDOWN_TIMEOUT_MS: '20000' }, { healthCheckTimeoutMs: 250, shutdownTimeoutMs: 20000 }],
  ['bad timeout', { SHUTDOWN_TIMEOUT_MS: '10s' }, { error: ['SHUTDOWN_TIMEOUT_MS="10s"'] }],
  ['all problems are reported at once', { PORT: 'x', KEY_BACKEND: 'nope', LOG_LEVEL: 'loud' }, {
    error: ['3 problems', 'PORT="x"', 'KEY_BACKEND="nope"', 'LOG_LEVEL="loud"'],
  }],
];

for (const [name, env, expected] of cases) {
  test(`loadConfig: ${name}`, () => {
    if (expected.error) {
      assert.throws(
        () => loadConfig(env),
        (err) => {
          assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
          for (const s of expected.error) assert.ok(err.message.includes(s), `message lacks ${JSON.stringify(s)}:\n${err.message}`);
          return true;
        },
      );
      return;
    }
    const config = loadConfig(env);
    for (const [k, v] of Object.entries(expected)) assert.deepEqual(config[k], v, `config.${k}`);
  });
}

test('loadConfig is pure: it does not read process.env', () => {
  const saved = process.env.KEY_BACKEND;
  process.env.KEY_BACKEND = 'nonsense';
  try {
    assert.equal(loadConfig({}).keyBackend, 'env');
  } finally {
    if (saved === undefined) delete process.env.KEY_BACKEND;
    else process.env.KEY_BACKEND = saved;
  }
});

test('loadConfig returns a frozen config', () => {
  const c = loadConfig({});
  assert.ok(Object.isFrozen(c));
  assert.throws(() => {
    'use strict';
    c.port = 1;
  }, TypeError);
});

test('loadConfig rejects a non-object', () => {
  assert.throws(() => loadConfig(undefined), /env must be an object/);
});

test('parseAddress returns a problem string for bad input', () => {
  assert.equal(typeof parseAddress('a:b'), 'string');
  assert.deepEqual(parseAddress(' 3001 '), { host: '127.0.0.1', port: 3001 });
});

test('ENV_VARS lists every default and KMS setting', () => {
  for (const k of Object.keys(DEFAULTS)) assert.ok(ENV_VARS.includes(k), k);
  for (const k of ['AWS_KMS_KEY_ID', 'GCP_KMS_KEY_NAME', 'AZURE_KEY_VAULT_URL', 'AZURE_KEY_NAME']) assert.ok(ENV_VARS.includes(k), k);
});
