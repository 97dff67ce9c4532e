// Package policy checks the repository's build files for the rules of
// Story 16.1: one Node major everywhere (node:22-alpine, .nvmrc 22.11.0,
// engines.node >=22.11.0), no "# syntax=" directive, no apk, and production
// dependencies that are pure JavaScript.
package policy
