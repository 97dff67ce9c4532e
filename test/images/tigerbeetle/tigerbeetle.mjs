#!/usr/bin/env node
// Stand-in for the tigerbeetle binary of ghcr.io/tigerbeetle/tigerbeetle, for tests on hosts that
// cannot pull the real image. It keeps the command line and the behaviour that the compose files,
// their healthchecks and the connector rely on:
//   tigerbeetle format [--cluster=<integer>] --replica=<index> --replica-count=<integer> [--development] <path>
//       creates the data file; refuses when it already exists (PathAlreadyExists), like the real one.
//   tigerbeetle start --addresses=<addresses> [--cache-grid=<size><KiB|MiB|GiB>] [--development] <path>
//       refuses when the file does not exist (FileNotFound) or was not formatted, then listens on the
//       replica's address and accepts TCP connections (enough for `nc -z` and the connector's /health).
//   tigerbeetle version [--verbose]
// Without --development both refuse a file system without Direct I/O, as the real replica does.
// It does NOT speak the TigerBeetle protocol: a client that sends requests gets no reply.
import { closeSync, constants, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { isIPv4, isIPv6, createServer } from "node:net";

const VERSION = "0.17.9";
const FORMAT_MAGIC = "tigerbeetle-standin-data-file/1";
const REPLICAS_MAX = 6;
const DEFAULT_ADDRESS = "127.0.0.1";
const DEFAULT_PORT = 3001;
const GIB = 1024 ** 3;

const USAGE = `Usage:

  tigerbeetle [-h | --help]

  tigerbeetle format [--cluster=<integer>] --replica=<index> --replica-count=<integer> [--development] <path>

  tigerbeetle start --addresses=<addresses> [--cache-grid=<size><KiB|MiB|GiB>] [--development] <path>

  tigerbeetle version [--verbose]

This is a stand-in for tests (Node.js): it formats and opens its own data file and accepts TCP
connections on the replica's address, but does not speak the TigerBeetle protocol.
`;

function log(level, scope, message) {
  process.stderr.write(`${level}(${scope}): ${message}\n`);
}

// Exits like the real binary on a command-line or start-up error: a log line, then status 1.
function fatal(scope, message, errorName) {
  log("error", scope, message);
  if (errorName) process.stderr.write(`error: ${errorName}\n`);
  process.exit(1);
}

// Parses `--name=value`, `--flag` and positional arguments the way TigerBeetle's flag parser does:
// values only after `=`, no unknown flags.
function parseFlags(args, spec) {
  const flags = {};
  const positional = [];
  for (const arg of args) {
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!(name in spec)) fatal("cli", `unexpected argument: '${arg}'`);
    if (spec[name] === "bool") {
      if (eq !== -1) fatal("cli", `--${name}: argument does not take a value`);
      flags[name] = true;
    } else {
      if (eq === -1) fatal("cli", `--${name}: expected a value, as --${name}=<value>`);
      if (name in flags) fatal("cli", `--${name}: duplicate argument`);
      flags[name] = arg.slice(eq + 1);
    }
  }
  if (positional.length !== 1) {
    fatal("cli", positional.length === 0 ? "<path>: argument is required" : `unexpected argument: '${positional[1]}'`);
  }
  return { flags, path: positional[0] };
}

function parseUint(flag, text, max) {
  if (!/^\d+$/.test(text)) fatal("cli", `--${flag}: expected an integer value, but found '${text}'`);
  const n = BigInt(text);
  if (n > max) fatal("cli", `--${flag}: value exceeds the maximum of ${max}`);
  return n;
}

// "512MiB" -> bytes. TigerBeetle sizes take an optional KiB/MiB/GiB/TiB suffix (none = bytes).
function parseSize(flag, text) {
  const m = /^(\d+)(KiB|MiB|GiB|TiB)?$/.exec(text);
  if (!m) fatal("cli", `--${flag}: expected a size like 512MiB (suffix KiB, MiB, GiB or TiB), but found '${text}'`);
  const unit = { KiB: 1024, MiB: 1024 ** 2, GiB: GIB, TiB: 1024 ** 4 }[m[2]] ?? 1;
  return Number(m[1]) * unit;
}

// --addresses: IPv4 or [IPv6] with a port; either may be omitted (127.0.0.1, port 3001). No host names.
function parseAddresses(text) {
  if (text.endsWith(",")) fatal("cli", "--addresses: invalid trailing comma");
  return text.split(",").map((raw) => {
    let host;
    let port;
    const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(raw);
    if (v6) {
      host = v6[1];
      port = v6[2];
      if (!isIPv6(host)) fatal("cli", "--addresses: invalid IPv4 or IPv6 address");
    } else if ((raw.match(/:/g) ?? []).length > 1) {
      fatal("cli", "--addresses: invalid address with more than one colon");
    } else if (raw.includes(":")) {
      [host, port] = raw.split(":");
      if (!isIPv4(host)) fatal("cli", "--addresses: invalid IPv4 or IPv6 address");
    } else if (/^\d+$/.test(raw)) {
      host = DEFAULT_ADDRESS;
      port = raw;
    } else {
      host = raw;
      if (!isIPv4(host)) fatal("cli", "--addresses: invalid IPv4 or IPv6 address");
    }
    if (port === undefined) port = String(DEFAULT_PORT);
    if (!/^\d+$/.test(port)) fatal("cli", "--addresses: invalid port");
    if (Number(port) > 65535) fatal("cli", "--addresses: port exceeds 65535");
    return { host, port: Number(port) };
  });
}

function formatAddress({ host, port }) {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

// Production replicas require Direct I/O; --development allows file systems without it.
function requireDirectIO(path, development) {
  if (development) return;
  let fd;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
  } catch (e) {
    if (e.code === "EINVAL") {
      return `opening "${path}": the file system does not support Direct I/O, which a production replica requires; use --development only for testing`;
    }
    throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return undefined;
}

function errorName(e) {
  return { EEXIST: "PathAlreadyExists", ENOENT: "FileNotFound", EACCES: "AccessDenied", EISDIR: "IsDir", EROFS: "ReadOnlyFileSystem" }[e.code] ?? e.code;
}

function cmdFormat(args) {
  const { flags, path } = parseFlags(args, {
    cluster: "value",
    replica: "value",
    "replica-count": "value",
    development: "bool",
    "log-debug": "bool",
  });
  if (flags["replica-count"] === undefined) fatal("cli", "--replica-count: argument is required");
  const replicaCount = Number(parseUint("replica-count", flags["replica-count"], 255n));
  if (replicaCount === 0) fatal("cli", "--replica-count: value needs to be greater than zero");
  if (replicaCount > REPLICAS_MAX) {
    fatal("cli", `--replica-count: value is too large (${replicaCount}), at most ${REPLICAS_MAX} is allowed`);
  }
  if (flags.replica === undefined) fatal("cli", "--replica: argument is required");
  const replica = Number(parseUint("replica", flags.replica, 255n));
  if (replica >= replicaCount) {
    fatal("cli", `--replica: value is too large (${replica}), at most ${replicaCount - 1} is allowed`);
  }
  let cluster;
  if (flags.cluster === undefined) {
    cluster = BigInt("0x" + [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("")) || 1n;
    log("info", "main", `generated random cluster id: ${cluster}`);
  } else {
    cluster = parseUint("cluster", flags.cluster, (1n << 128n) - 1n);
    if (cluster === 0n) {
      log("warning", "main", "a cluster id of 0 is reserved for testing and benchmarking, do not use in production");
      log("warning", "main", "omit --cluster=0 to randomly generate a suitable id");
    }
  }

  let fd;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    const why = e.code === "EEXIST" ? "the data file already exists (format never overwrites one)" : e.message;
    fatal("io", `creating "${path}": ${why}`, errorName(e));
  }
  const noDirectIO = requireDirectIO(path, flags.development === true);
  if (noDirectIO) {
    closeSync(fd);
    unlinkSync(path);
    fatal("io", noDirectIO, "DirectIONotSupported");
  }
  const header = { format: FORMAT_MAGIC, version: VERSION, cluster: cluster.toString(), replica, replica_count: replicaCount };
  writeSync(fd, JSON.stringify(header) + "\n");
  fsyncSync(fd);
  closeSync(fd);
  log("info", "main", `${replica}: formatted: cluster=${cluster} replica_count=${replicaCount}`);
}

function readDataFile(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const hint = e.code === "ENOENT" ? ': no such data file; create it with "tigerbeetle format" first' : `: ${e.message}`;
    fatal("io", `opening "${path}"${hint}`, errorName(e));
  }
  let header;
  try {
    header = JSON.parse(text.split("\n", 1)[0]);
  } catch {
    header = undefined;
  }
  if (header?.format !== FORMAT_MAGIC) {
    fatal("superblock", `"${path}" is not a formatted data file (no valid superblock); create it with "tigerbeetle format"`, "NotFormatted");
  }
  return header;
}

function cmdStart(args) {
  const spec = { addresses: "value", "cache-grid": "value", development: "bool", experimental: "bool" };
  for (const f of ["limit-storage", "limit-pipeline-requests", "limit-request", "cache-accounts", "cache-transfers",
    "cache-transfers-pending", "memory-lsm-manifest", "memory-lsm-compaction", "trace", "timeout-prepare-ms",
    "timeout-grid-repair-message-ms", "commit-stall-probability", "statsd", "aof-file"]) spec[f] = "value";
  for (const f of ["log-debug", "log-trace", "replicate-star", "aof"]) spec[f] = "bool";
  const { flags, path } = parseFlags(args, spec);
  for (const [name, value] of Object.entries(flags)) {
    if (!["addresses", "cache-grid", "development", "experimental"].includes(name) && value !== undefined && !flags.experimental) {
      fatal("cli", `--${name} is marked experimental, add \`--experimental\` to continue.`);
    }
  }
  if (flags.addresses === undefined) fatal("cli", "--addresses: argument is required");
  const addresses = parseAddresses(flags.addresses);
  const development = flags.development === true;
  const cacheGrid = flags["cache-grid"] !== undefined ? parseSize("cache-grid", flags["cache-grid"]) : development ? 0 : GIB;

  const header = readDataFile(path);
  const noDirectIO = requireDirectIO(path, development);
  if (noDirectIO) fatal("io", noDirectIO, "DirectIONotSupported");
  if (addresses.length < header.replica_count || header.replica >= addresses.length) {
    fatal("main", "all --addresses must be provided");
  }
  if (cacheGrid <= GIB) {
    log("warning", "main", `Grid cache size of ${Math.floor(cacheGrid / 1024 ** 2)}MiB is small. See --cache-grid`);
  }
  log("warning", "main", "stand-in for tests: this replica accepts TCP connections but does not speak the TigerBeetle protocol");

  const own = addresses[header.replica];
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => {}); // requests are read and dropped: there is no state machine here
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("error", (e) => {
    const name = e.code === "EADDRINUSE" ? "AddressInUse" : e.code === "EADDRNOTAVAIL" ? "AddressNotAvailable" : e.code;
    fatal("message_bus", `listening on ${formatAddress(own)}: ${e.message}`, name);
  });
  server.listen({ host: own.host, port: own.port, exclusive: true }, () => {
    log("info", "main", `${header.replica}: cluster=${header.cluster}: listening on ${formatAddress(own)}`);
  });
  const stop = (signal) => {
    server.close();
    for (const s of sockets) s.destroy();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15 }[signal] ?? 0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

function cmdVersion(args) {
  const verbose = args.includes("--verbose");
  const unknown = args.find((a) => a !== "--verbose");
  if (unknown !== undefined) fatal("cli", `unexpected argument: '${unknown}'`);
  process.stdout.write(`TigerBeetle version ${VERSION}\n`);
  if (verbose) process.stdout.write('\ngit_commit="stand-in for tests"\nbuild.implementation="Node.js stand-in"\n');
}

function main(argv) {
  const [command, ...rest] = argv;
  switch (command) {
    case "format":
      return cmdFormat(rest);
    case "start":
      return cmdStart(rest);
    case "version":
      return cmdVersion(rest);
    case "-h":
    case "--help":
      process.stdout.write(USAGE);
      return undefined;
    case undefined:
      process.stderr.write(USAGE);
      return fatal("cli", "subcommand required, expected format, start or version");
    case "recover":
    case "repl":
    case "benchmark":
    case "inspect":
    case "amqp":
      return fatal("cli", `'${command}' is not provided by this stand-in for tests (only format, start and version)`);
    default:
      return fatal("cli", `unknown subcommand: '${command}'`);
  }
}

main(process.argv.slice(2));
