#!/usr/bin/env node
// Stand-in for the grafana binary of grafana/grafana:11.6.0, for tests on hosts that cannot pull the
// real image. It keeps what the compose files, their healthchecks, Prometheus and operators rely on:
//   grafana server [--homepath=DIR] [--config=FILE] [--packaging=docker] [cfg:[default.]SECTION.KEY=VALUE ...]
//     HTTP on [server] http_addr:http_port (GF_SERVER_HTTP_ADDR, GF_SERVER_HTTP_PORT; default :3000):
//     GET|HEAD /api/health  200 {"commit","database":"ok","version":"11.6.0"}, no authentication
//     GET /healthz, /metrics (Prometheus text), /login (a stub page), / (302 to /login)
//     GET /api/datasources[/uid/U|/name/N|/ID], /api/search, /api/dashboards/uid/U, /api/folders,
//         /api/user: basic auth as the admin user only; no or wrong credentials give 401
//     datasources and dashboards come from the provisioning files ([paths] provisioning), read at
//     start with a small YAML reader; an invalid file stops the server, as in Grafana.
//   grafana cli admin reset-admin-password [--password-from-stdin] [PASSWORD]
//   grafana --version | -v
// Configuration: defaults < grafana.ini (--config) < GF_<SECTION>_<KEY> environment variables; values
// may use $__env{VAR}, $__file{PATH} and ${VAR}. The admin user and password are taken from [security]
// admin_user / admin_password (default admin / admin) on the first start only and kept in the data
// directory, as Grafana keeps them in its database: changing the password later takes
// `grafana cli admin reset-admin-password`. Everything else (UI, queries, alerting, plugins, writes
// through the API) is not provided: write requests get 501.
import { createServer } from "node:http";
import { pbkdf2Sync, randomBytes, timingSafeEqual, createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, renameSync, accessSync, constants } from "node:fs";
import { basename, extname, isAbsolute, join, relative, resolve } from "node:path";
import { parseYAML, YAMLError } from "./yaml.mjs";

const VERSION = "11.6.0";
const COMMIT = "stand-in";
const STORE = "grafana-standin-admin.json"; // in the data directory (Grafana: the admin row of grafana.db)
const startedAt = Date.now();

// ------------------------------------------------------------------------------------------- logging

function logfmtValue(v) {
  const s = String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

function log(level, logger, msg, fields = {}) {
  const parts = [`logger=${logger}`, `t=${new Date().toISOString()}`, `level=${level}`, `msg=${logfmtValue(msg)}`];
  for (const [k, v] of Object.entries(fields)) parts.push(`${k}=${logfmtValue(v)}`);
  process.stdout.write(parts.join(" ") + "\n");
}

function die(logger, msg, fields) {
  log("error", logger, msg, fields);
  process.exit(1);
}

// ------------------------------------------------------------------------------------- configuration

function parseIni(text) {
  const out = {};
  let section = "";
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = sec[1].trim();
      continue;
    }
    const eq = line.indexOf("=");
    if (eq === -1) continue;
    let value = line.slice(eq + 1).trim();
    if (/^"""/.test(value)) value = value.replace(/^"""|"""$/g, "");
    (out[section] ??= {})[line.slice(0, eq).trim()] = value;
  }
  return out;
}

// $__env{VAR}, $__file{PATH} and ${VAR} in configuration values, as Grafana expands them.
function expand(value) {
  return value
    .replace(/\$__env\{([^}]*)\}/g, (_, name) => process.env[name] ?? "")
    .replace(/\$__file\{([^}]*)\}/g, (_, path) => {
      try {
        return readFileSync(path.trim(), "utf8").trim();
      } catch (e) {
        die("settings", "failed to read a $__file value", { path, error: e.message });
        return "";
      }
    })
    .replace(/\$\{(\w+)\}/g, (_, name) => process.env[name] ?? "");
}

function loadConfig(args) {
  let homepath = "/usr/share/grafana";
  let configFile;
  const defaults = {};
  const overrides = {};
  for (const arg of args) {
    let m;
    if ((m = /^--?homepath=(.*)$/.exec(arg))) homepath = m[1];
    else if ((m = /^--?config=(.*)$/.exec(arg))) configFile = m[1];
    else if (/^--?(packaging|pidfile|profile|tracing)(=.*)?$/.test(arg)) continue;
    else if ((m = /^cfg:(default\.)?([^=]+)=(.*)$/s.exec(arg))) {
      const dot = m[2].lastIndexOf(".");
      const target = m[1] ? defaults : overrides;
      (target[m[2].slice(0, dot)] ??= {})[m[2].slice(dot + 1)] = m[3];
    } else die("server", "unknown argument (this stand-in accepts --homepath, --config, --packaging and cfg:)", { arg });
  }
  let ini = {};
  const iniPath = configFile ?? (process.env.GF_PATHS_CONFIG || join(homepath, "conf", "custom.ini"));
  if (existsSync(iniPath)) {
    try {
      ini = parseIni(readFileSync(iniPath, "utf8"));
    } catch (e) {
      die("settings", "failed to read the configuration file", { file: iniPath, error: e.message });
    }
  } else if (configFile) {
    die("settings", "configuration file not found", { file: configFile });
  }
  const get = (section, key, fallback) => {
    const envName = `GF_${section.replace(/[.-]/g, "_")}_${key}`.toUpperCase();
    const raw =
      overrides[section]?.[key] ??
      (process.env[envName] !== undefined && process.env[envName] !== "" ? process.env[envName] : undefined) ??
      ini[section]?.[key] ??
      defaults[section]?.[key];
    return raw === undefined ? fallback : expand(raw);
  };
  const path = (key, fallback) => {
    const p = get("paths", key, fallback);
    return isAbsolute(p) ? p : resolve(homepath, p);
  };
  return {
    homepath,
    get,
    dataPath: path("data", "data"),
    provisioningPath: path("provisioning", "conf/provisioning"),
  };
}

// ----------------------------------------------------------------------------------------- admin user

function hashPassword(password, salt) {
  return pbkdf2Sync(password, salt, 10000, 50, "sha256").toString("hex");
}

function storePath(cfg) {
  return join(cfg.dataPath, STORE);
}

function writeAdmin(cfg, admin) {
  const file = storePath(cfg);
  writeFileSync(`${file}.tmp`, JSON.stringify(admin) + "\n", { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function readAdmin(cfg) {
  return JSON.parse(readFileSync(storePath(cfg), "utf8"));
}

// First start: create the admin user from [security]; later starts keep what is stored.
function ensureAdmin(cfg) {
  if (existsSync(storePath(cfg))) return readAdmin(cfg);
  const login = cfg.get("security", "admin_user", "admin");
  const password = cfg.get("security", "admin_password", "admin");
  const salt = randomBytes(10).toString("hex");
  const admin = { login, email: cfg.get("security", "admin_email", "admin@localhost"), salt, password: hashPassword(password, salt) };
  try {
    writeAdmin(cfg, admin);
  } catch (e) {
    die("sqlstore", "failed to create the admin user: the data directory is not writable", { path: cfg.dataPath, error: e.message });
  }
  log("info", "sqlstore", "Created default admin", { user: login });
  return admin;
}

function checkBasicAuth(cfg, header) {
  if (!header?.startsWith("Basic ")) return { ok: false, reason: "unauthorized" };
  if (cfg.get("auth.basic", "enabled", "true") === "false") return { ok: false, reason: "unauthorized" };
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return { ok: false, reason: "invalid" };
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  let admin;
  try {
    admin = readAdmin(cfg); // read on every request: `grafana cli admin reset-admin-password` applies at once
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const known = user.toLowerCase() === admin.login.toLowerCase() || user.toLowerCase() === admin.email.toLowerCase();
  const given = Buffer.from(hashPassword(password, admin.salt), "hex");
  const stored = Buffer.from(admin.password, "hex");
  if (known && given.length === stored.length && timingSafeEqual(given, stored)) return { ok: true, admin };
  return { ok: false, reason: "invalid" };
}

// --------------------------------------------------------------------------------------- provisioning

// Grafana expands $VAR and ${VAR} (and $$ for a literal $) in provisioning values.
function expandEnv(value) {
  if (typeof value === "string") {
    return value.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => (m === "$$" ? "$" : (process.env[a ?? b] ?? "")));
  }
  if (Array.isArray(value)) return value.map(expandEnv);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v)]));
  return value;
}

function yamlFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function readProvisioningFile(file) {
  try {
    return expandEnv(parseYAML(readFileSync(file, "utf8"))) ?? {};
  } catch (e) {
    const kind = e instanceof YAMLError ? "cannot read the YAML (stand-in reader)" : "cannot read the file";
    return die("provisioning", `Failed to provision: ${kind}`, { file, error: e.message });
  }
}

function slugify(title) {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function generatedUid(seed) {
  return createHash("sha256").update(seed).digest("base64url").slice(0, 14);
}

function provisionDatasources(cfg) {
  const list = [];
  for (const file of yamlFiles(join(cfg.provisioningPath, "datasources"))) {
    const doc = readProvisioningFile(file);
    for (const ds of doc.datasources ?? []) {
      if (!ds?.name) die("provisioning.datasources", "Failed to provision data sources: a datasource has no name", { file });
      const existing = list.findIndex((d) => d.name === ds.name && d.orgId === (ds.orgId ?? 1));
      const entry = {
        id: 0,
        uid: ds.uid ?? generatedUid(`datasource:${ds.name}`),
        orgId: ds.orgId ?? 1,
        name: ds.name,
        type: ds.type,
        typeName: ds.type,
        access: ds.access ?? "proxy",
        url: ds.url ?? "",
        user: ds.user ?? "",
        database: ds.database ?? "",
        basicAuth: ds.basicAuth ?? false,
        isDefault: ds.isDefault ?? false,
        jsonData: ds.jsonData ?? {},
        secureJsonFields: Object.fromEntries(Object.keys(ds.secureJsonData ?? {}).map((k) => [k, true])),
        readOnly: !(ds.editable ?? false),
      };
      if (existing === -1) list.push(entry);
      else list[existing] = entry;
    }
    for (const del of doc.deleteDatasources ?? []) {
      const i = list.findIndex((d) => d.name === del?.name && d.orgId === (del?.orgId ?? 1));
      if (i !== -1) list.splice(i, 1);
    }
  }
  const defaults = new Map();
  for (const ds of list) if (ds.isDefault) defaults.set(ds.orgId, (defaults.get(ds.orgId) ?? 0) + 1);
  for (const [org, n] of defaults) {
    if (n > 1) die("provisioning.datasources", "Failed to provision data sources: datasource.yaml config is invalid. Only one datasource per organization can be marked as default", { orgId: org });
  }
  list.forEach((ds, i) => (ds.id = i + 1));
  return list;
}

function jsonFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(p).isDirectory());
    if (isDir) out.push(...jsonFiles(p));
    else if (extname(entry.name) === ".json") out.push(p);
  }
  return out.sort();
}

function provisionDashboards(cfg) {
  const folders = [];
  const dashboards = [];
  let nextId = 1;
  const folderFor = (title, uid) => {
    let f = folders.find((x) => x.title === title);
    if (!f) {
      f = { id: nextId++, uid: uid ?? generatedUid(`folder:${title}`), title };
      folders.push(f);
    }
    return f;
  };
  for (const file of yamlFiles(join(cfg.provisioningPath, "dashboards"))) {
    const doc = readProvisioningFile(file);
    for (const provider of doc.providers ?? []) {
      const dir = provider?.options?.path;
      if (!dir) die("provisioning.dashboard", "Failed to provision dashboards: provider has no options.path", { file, provider: provider?.name });
      if (!existsSync(dir)) {
        log("error", "provisioning.dashboard", "Cannot read directory", { name: provider.name, path: dir, error: "no such file or directory" });
        continue;
      }
      for (const path of jsonFiles(dir)) {
        let json;
        try {
          json = JSON.parse(readFileSync(path, "utf8"));
        } catch (e) {
          log("error", "provisioning.dashboard", "failed to load dashboard from", { file: path, error: e.message });
          continue;
        }
        if (!json || typeof json !== "object" || Array.isArray(json)) continue;
        let folder;
        const sub = relative(dir, join(path, ".."));
        if (provider.options.foldersFromFilesStructure && sub !== "") folder = folderFor(basename(sub));
        else if (provider.folder) folder = folderFor(provider.folder, provider.folderUid);
        const title = String(json.title ?? basename(path, ".json"));
        dashboards.push({
          id: nextId++,
          uid: json.uid ?? generatedUid(`dashboard:${path}`),
          title,
          tags: Array.isArray(json.tags) ? json.tags : [],
          folder,
          file: relative(dir, path),
          json,
        });
      }
    }
  }
  return { folders, dashboards };
}

// ------------------------------------------------------------------------------------------ HTTP API

function send(res, status, text, headers = {}) {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

function json(res, status, body, space = 0) {
  send(res, status, JSON.stringify(body, null, space), { "content-type": "application/json" });
}

function apiError(res, status, message, messageId) {
  json(res, status, { extra: null, message, messageId, statusCode: status, traceID: "" });
}

function searchHit(item, kind) {
  const slug = slugify(item.title);
  const base = { id: item.id, uid: item.uid, orgId: 1, title: item.title, uri: `db/${slug}`, slug: "", tags: item.tags ?? [], isStarred: false, sortMeta: 0, isDeleted: false };
  if (kind === "dash-folder") return { ...base, url: `/dashboards/f/${item.uid}/${slug}`, type: "dash-folder" };
  const hit = { ...base, url: `/d/${item.uid}/${slug}`, type: "dash-db" };
  if (item.folder) {
    Object.assign(hit, { folderId: item.folder.id, folderUid: item.folder.uid, folderTitle: item.folder.title, folderUrl: `/dashboards/f/${item.folder.uid}/${slugify(item.folder.title)}` });
  }
  return hit;
}

function search(state, params) {
  const query = (params.get("query") ?? "").toLowerCase();
  const type = params.get("type");
  const tags = params.getAll("tag");
  const uids = params.getAll("dashboardUIDs").flatMap((u) => u.split(","));
  const folderUids = params.getAll("folderUIDs").flatMap((u) => u.split(","));
  const limit = Number(params.get("limit") ?? 1000) || 1000;
  const byTitle = (a, b) => a.title.localeCompare(b.title, "en", { sensitivity: "base" });
  let hits = [];
  if (type !== "dash-db" && tags.length === 0 && uids.length === 0) {
    hits.push(...[...state.folders].sort(byTitle).map((f) => searchHit(f, "dash-folder")));
  }
  if (type !== "dash-folder") hits.push(...[...state.dashboards].sort(byTitle).map((d) => searchHit(d, "dash-db")));
  hits = hits.filter(
    (h) =>
      h.title.toLowerCase().includes(query) &&
      tags.every((t) => h.tags.includes(t)) &&
      (uids.length === 0 || uids.includes(h.uid)) &&
      (folderUids.length === 0 || folderUids.includes(h.folderUid ?? (h.type === "dash-folder" ? "" : "general"))),
  );
  return hits.slice(0, limit);
}

function metrics(state) {
  return [
    "# HELP grafana_build_info A metric with a constant '1' value labeled by version, revision, branch, and goversion from which Grafana was built",
    "# TYPE grafana_build_info gauge",
    `grafana_build_info{branch="HEAD",buildstamp="0",edition="oss",goversion="none (Node.js stand-in)",revision="${COMMIT}",version="${VERSION}"} 1`,
    "# HELP grafana_stat_totals_dashboard total amount of dashboards",
    "# TYPE grafana_stat_totals_dashboard gauge",
    `grafana_stat_totals_dashboard ${state.dashboards.length}`,
    "# HELP grafana_stat_totals_datasource total number of defined datasources, labeled by pluginId",
    "# TYPE grafana_stat_totals_datasource gauge",
    ...[...new Set(state.datasources.map((d) => d.type))].map((t) => `grafana_stat_totals_datasource{plugin_id="${t}"} ${state.datasources.filter((d) => d.type === t).length}`),
    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
    "# TYPE process_start_time_seconds gauge",
    `process_start_time_seconds ${Math.floor(startedAt / 1000)}`,
    "",
  ].join("\n");
}

function handle(cfg, state, req, res) {
  const url = new URL(req.url, "http://grafana.invalid");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const read = req.method === "GET" || req.method === "HEAD";

  if (path === "/api/health" && read) return json(res, 200, { commit: COMMIT, database: "ok", version: VERSION }, 2);
  if (path === "/healthz" && read) return send(res, 200, "Ok");
  if (path === "/metrics" && read) return send(res, 200, metrics(state), { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  if (path === "/login" && read) {
    return send(res, 200, "<!doctype html><title>Grafana</title><p>Grafana 11.6.0 stand-in for tests: no UI, use the HTTP API with basic auth.</p>", { "content-type": "text/html; charset=utf-8" });
  }
  if (path === "/" && read) {
    res.writeHead(302, { location: "/login" });
    return res.end();
  }
  if (!path.startsWith("/api/")) return send(res, 404, "404 page not found");

  const known = /^\/api\/(datasources(\/(uid|name)\/[^/]+|\/\d+)?|search|folders|dashboards\/uid\/[^/]+|user)$/.test(path);
  if (!known) return apiError(res, 404, "Not found", "");
  const auth = checkBasicAuth(cfg, req.headers.authorization);
  if (!auth.ok) {
    return auth.reason === "invalid"
      ? apiError(res, 401, "Invalid username or password", "password-auth.failed")
      : apiError(res, 401, "Unauthorized", "auth.unauthorized");
  }
  if (!read) return apiError(res, 501, "stand-in for tests: the Grafana API is read-only here", "standin.read-only");

  let m;
  if (path === "/api/user") {
    return json(res, 200, { id: 1, uid: generatedUid(`user:${auth.admin.login}`), email: auth.admin.email, name: "", login: auth.admin.login, orgId: 1, isGrafanaAdmin: true, isDisabled: false, isExternal: false, authLabels: [] });
  }
  if (path === "/api/datasources") return json(res, 200, state.datasources);
  if ((m = /^\/api\/datasources\/(uid|name)\/([^/]+)$/.exec(path)) || (m = /^\/api\/datasources\/(\d+)$/.exec(path))) {
    const key = decodeURIComponent(m[2] ?? m[1]);
    const ds = state.datasources.find((d) => (m[1] === "uid" ? d.uid === key : m[1] === "name" ? d.name === key : String(d.id) === key));
    return ds ? json(res, 200, ds) : apiError(res, 404, "Data source not found", "");
  }
  if (path === "/api/search") return json(res, 200, search(state, url.searchParams));
  if (path === "/api/folders") return json(res, 200, state.folders.map((f) => ({ id: f.id, uid: f.uid, title: f.title })));
  if ((m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path))) {
    const d = state.dashboards.find((x) => x.uid === decodeURIComponent(m[1]));
    if (!d) return apiError(res, 404, "Dashboard not found", "");
    const slug = slugify(d.title);
    return json(res, 200, {
      dashboard: { ...d.json, id: d.id, uid: d.uid },
      meta: {
        type: "db", canSave: false, canEdit: false, canAdmin: true, canStar: true, slug, url: `/d/${d.uid}/${slug}`,
        provisioned: true, provisionedExternalId: d.file, folderId: d.folder?.id ?? 0, folderUid: d.folder?.uid ?? "",
        folderTitle: d.folder?.title ?? "General",
      },
    });
  }
  return apiError(res, 404, "Not found", "");
}

function server(args) {
  const cfg = loadConfig(args);
  log("info", "settings", "Starting Grafana", { version: VERSION, commit: COMMIT, branch: "HEAD", note: "stand-in for tests" });
  const protocol = cfg.get("server", "protocol", "http");
  if (protocol !== "http") die("server", "this stand-in serves plain HTTP only", { protocol });
  try {
    accessSync(cfg.dataPath, constants.W_OK);
  } catch {
    die("sqlstore", "the data directory is not writable", { path: cfg.dataPath });
  }
  if (cfg.get("auth.anonymous", "enabled", "false") === "true") {
    log("warn", "server", "anonymous access is not provided by this stand-in: every API call but /api/health needs basic auth");
  }
  const admin = ensureAdmin(cfg);
  const state = { datasources: provisionDatasources(cfg), ...provisionDashboards(cfg) };
  log("info", "provisioning", "provisioned from files", {
    path: cfg.provisioningPath, datasources: state.datasources.length, dashboards: state.dashboards.length, admin: admin.login,
  });
  const port = Number(cfg.get("server", "http_port", "3000"));
  if (!Number.isInteger(port) || port < 0 || port > 65535) die("server", "invalid [server] http_port", { http_port: port });
  const addr = cfg.get("server", "http_addr", "");
  const srv = createServer((req, res) => {
    try {
      handle(cfg, state, req, res);
    } catch (e) {
      log("error", "context", "Request error", { path: req.url, error: e.message });
      if (!res.headersSent) apiError(res, 500, "Internal Server Error", "");
    }
  });
  srv.on("error", (e) => die("http.server", "Failed to start HTTP server", { error: e.message }));
  srv.listen(addr === "" ? { port } : { port, host: addr }, () => {
    const a = srv.address();
    log("info", "http.server", "HTTP Server Listen", { address: `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`, protocol: "http", subUrl: "", socket: "" });
  });
  const stop = (signal) => {
    log("info", "server", "Shutdown started", { reason: `System signal: ${signal}` });
    srv.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

function cli(args) {
  const rest = args.filter((a) => !/^--?(homepath|config)=/.test(a) && !/^cfg:/.test(a));
  const settings = args.filter((a) => !rest.includes(a));
  if (rest[0] !== "admin" || rest[1] !== "reset-admin-password") {
    process.stderr.write("grafana cli: this stand-in provides only `grafana cli admin reset-admin-password [--password-from-stdin] PASSWORD`\n");
    process.exit(1);
  }
  const fromStdin = rest.includes("--password-from-stdin");
  const password = fromStdin ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : rest.slice(2).find((a) => !a.startsWith("-"));
  if (!password || password.length < 4) {
    process.stderr.write("Error: ✗ New password is too short\n");
    process.exit(1);
  }
  const cfg = loadConfig(settings);
  let admin;
  try {
    admin = readAdmin(cfg);
  } catch {
    admin = { login: cfg.get("security", "admin_user", "admin"), email: cfg.get("security", "admin_email", "admin@localhost") };
  }
  admin.salt = randomBytes(10).toString("hex");
  admin.password = hashPassword(password, admin.salt);
  try {
    writeAdmin(cfg, admin);
  } catch (e) {
    process.stderr.write(`Error: ✗ failed to store the admin password in ${cfg.dataPath}: ${e.message}\n`);
    process.exit(1);
  }
  process.stdout.write("\nAdmin password changed successfully ✔\n\n");
}

function main(argv) {
  const [command, ...rest] = argv;
  switch (command) {
    case "server":
      return server(rest);
    case "cli":
      return cli(rest);
    case "-v":
    case "--version":
    case "-version":
      process.stdout.write(`grafana version ${VERSION} (stand-in for tests)\n`);
      return undefined;
    default:
      process.stderr.write("usage: grafana server [--homepath=DIR] [--config=FILE] [cfg:SECTION.KEY=VALUE ...]\n       grafana cli admin reset-admin-password PASSWORD\n       grafana --version\n(stand-in for tests)\n");
      process.exit(command === undefined || command === "-h" || command === "--help" ? 0 : 1);
  }
  return undefined;
}

main(process.argv.slice(2));
