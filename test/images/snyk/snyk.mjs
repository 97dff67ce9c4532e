#!/usr/bin/env node
// Stand-in for the Snyk CLI (snyk/snyk:node) in a workplace that cannot reach snyk.io.
// It keeps the real CLI's contract that a pipeline depends on:
//   exit 0  no vulnerabilities at or above the threshold
//   exit 1  vulnerabilities found            (never produced here: nothing is scanned)
//   exit 2  failure: not authenticated, or the Snyk API cannot be reached
//   exit 3  no supported project found (no package.json / lockfile in the working directory)
// With --json the failure is printed as the CLI does: {"ok":false,"error":"...","path":"..."}.
import { existsSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const json = args.includes("--json");
const cwd = process.cwd();

function fail(code, message) {
  if (json) {
    process.stdout.write(JSON.stringify({ ok: false, error: message, path: cwd }, null, 2) + "\n");
  } else {
    process.stderr.write(message + "\n");
  }
  process.exit(code);
}

if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write("1.1296.0 (stand-in for tests)\n");
  process.exit(0);
}
if (args[0] !== "test") {
  process.stdout.write("snyk stand-in: only `snyk test` and `snyk --version` are provided\n");
  process.exit(args.length === 0 || args[0] === "--help" ? 0 : 2);
}
if (!process.env.SNYK_TOKEN) {
  fail(2, "`snyk` requires an authenticated account. Please run `snyk auth` and try again.");
}
if (!existsSync(join(cwd, "package.json"))) {
  fail(3, `Could not detect supported target files in ${cwd}.`);
}
const api = process.env.SNYK_API || "https://api.snyk.io";
try {
  const res = await fetch(new URL("/rest/self?version=2024-10-15", api), {
    headers: { authorization: `token ${process.env.SNYK_TOKEN}` },
    signal: AbortSignal.timeout(10000),
  });
  fail(2, `This stand-in cannot run a real Snyk test (the Snyk API at ${api} answered HTTP ${res.status}); use the real snyk/snyk:node image.`);
} catch (e) {
  fail(2, `Could not reach the Snyk API at ${api}: ${e.cause?.code ?? e.message}. Check your network or set SNYK_API.`);
}
