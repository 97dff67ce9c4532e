// CI/CD pipeline of the M2M ILP Connector, as a Dagger module.
//
// Every stage of the pipeline is a function that runs the same way on a
// laptop and in GitHub Actions:
//
//	dagger call lint          # eslint, shellcheck, actionlint, promtool, amtool
//	dagger call test          # npm ci && npm test on node:22-alpine
//	dagger call audit         # npm audit, high/critical block, fails closed
//	dagger call snyk          # snyk test, SKIP locally without a token
//	dagger call build         # Dockerfile for linux/amd64 and linux/arm64, verified
//	dagger call publish ...   # one multi-platform manifest, returns the digest
//	dagger call ci            # all of the above concurrently, one summary table
//	dagger call ci-report export --path ./ci-report   # report.json + summary.md
//
// See docs/pipeline.md for the semantics of each stage.
package main

import (
	"dagger/connector-ci/internal/dagger"
)

// Pinned images. Each tag lives in the registry named by the reference
// (Docker Hub unless a host is given); override the Snyk image per call with
// --image, and mirror the others under the same names.
const (
	// nodeImage is the Node.js 22 runtime the connector targets (docker.io/library/node,
	// tag 22-alpine). The Dockerfile's stages use the same tag.
	nodeImage = "node:22-alpine"
	// shellcheckImage runs shellcheck (docker.io/koalaman/shellcheck-alpine, tag v0.9.0).
	shellcheckImage = "koalaman/shellcheck-alpine:v0.9.0"
	// prometheusImage provides promtool (docker.io/prom/prometheus, tag v3.5.0, the v3 LTS line).
	prometheusImage = "prom/prometheus:v3.5.0"
	// alertmanagerImage provides amtool (docker.io/prom/alertmanager, tag v0.28.1).
	alertmanagerImage = "prom/alertmanager:v0.28.1"
	// snykImage is the Snyk CLI with Node.js (docker.io/snyk/snyk, tag node).
	snykImage = "snyk/snyk:node"
)

// Shared names.
const (
	// npmCacheVolume is the cache volume for npm's download cache, namespaced
	// so it is not shared with other modules on the same engine.
	npmCacheVolume = "connector-ci-npm-cache"
	// srcDir is where the source is placed in every container.
	srcDir = "/src"
	// npmCacheDir is where the npm cache volume is mounted.
	npmCacheDir = "/npm-cache"
)

// ConnectorCi is the pipeline. Its state is the source it checks.
type ConnectorCi struct {
	// The repository: only the files the pipeline reads (see New).
	//
	// +private
	Source *dagger.Directory
}

// New creates the pipeline for a source directory.
func New(
	// The repository to check. Defaults to the repository that contains this
	// module; only the files the pipeline needs are uploaded.
	//
	// +defaultPath="/"
	// +ignore=["*", "!package.json", "!package-lock.json", "!.npmrc", "!.nvmrc", "!eslint.config.js", "!src", "!test", "!ui", "!.env.example", "!Dockerfile", "!Dockerfile.*", "!.dockerignore", "!docker-compose*.yml", "!scripts", "!.github", "!monitoring", "!.audit-accepted.json", "!.snyk", "**/node_modules", "**/.DS_Store", "ui/dist", "dist"]
	source *dagger.Directory,
) *ConnectorCi {
	return &ConnectorCi{Source: source}
}
