package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the repository root, two levels above this package.
const repoRoot = "../.."

var repoFiles = []string{"Dockerfile", "Dockerfile.dev", ".nvmrc", "package.json", "package-lock.json"}

// TestRepositoryFilesPass runs every check on the real repository files.
func TestRepositoryFilesPass(t *testing.T) {
	for _, f := range CheckAll(repoRoot) {
		t.Errorf("%s", f)
	}
}

// copyRepo copies the checked files into a temp dir for fault injection.
func copyRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range repoFiles {
		content, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceOnce replaces exactly one occurrence of old, failing the test if the
// real file no longer contains it (so the fault injection cannot go stale).
func replaceOnce(t *testing.T, dir, name, old, new string) {
	t.Helper()
	content := read(t, dir, name)
	if n := strings.Count(content, old); n != 1 {
		t.Fatalf("%s: expected exactly one %q to replace, found %d", name, old, n)
	}
	write(t, dir, name, strings.Replace(content, old, new, 1))
}

// lineContaining is the 1-based line of the first line containing s.
func lineContaining(t *testing.T, dir, name, s string) int {
	t.Helper()
	for i, l := range strings.Split(read(t, dir, name), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s: no line contains %q", name, s)
	return 0
}

type want struct {
	file, stage, rule, msg string
	line                   int // -1: don't care
}

func expectExactly(t *testing.T, got []Finding, w want) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("want exactly one finding like %+v, got %d:\n%s", w, len(got), list(got))
	}
	f := got[0]
	if f.File != w.file || f.Rule != w.rule || f.Stage != w.stage || (w.line >= 0 && f.Line != w.line) ||
		!strings.Contains(f.Message, w.msg) {
		t.Fatalf("finding %q\n  does not match %+v", f, w)
	}
	// The rendered finding names file, line and stage for humans.
	s := f.String()
	if !strings.HasPrefix(s, w.file) || (f.Stage != "" && !strings.Contains(s, `stage "`+f.Stage+`"`)) {
		t.Fatalf("String() = %q lacks file or stage", s)
	}
}

func list(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

const builderFrom = "FROM --platform=$BUILDPLATFORM node:22-alpine AS builder"
const uiBuilderFrom = "FROM --platform=$BUILDPLATFORM node:22-alpine AS ui-builder"
const runtimeFrom = "FROM node:22-alpine AS runtime"

func TestFaultInjection(t *testing.T) {
	cases := []struct {
		name   string
		inject func(t *testing.T, dir string)
		want   func(t *testing.T, dir string) want
	}{
		{
			name: "builder stage on node:20-alpine",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile", builderFrom, strings.Replace(builderFrom, "node:22", "node:20", 1))
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "builder", RuleBaseImage, `base image "node:20-alpine" is not node:22-alpine`,
					lineContaining(t, dir, "Dockerfile", "node:20-alpine AS builder")}
			},
		},
		{
			name: "ui-builder stage on node:20-alpine",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile", uiBuilderFrom, strings.Replace(uiBuilderFrom, "node:22", "node:20", 1))
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "ui-builder", RuleBaseImage, "node:20-alpine",
					lineContaining(t, dir, "Dockerfile", "AS ui-builder")}
			},
		},
		{
			name: "runtime stage on a Debian image",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile", runtimeFrom, "FROM node:22-bookworm-slim AS runtime")
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "runtime", RuleBaseImage, "node:22-bookworm-slim",
					lineContaining(t, dir, "Dockerfile", "AS runtime")}
			},
		},
		{
			name: "base image hidden behind a global ARG",
			inject: func(t *testing.T, dir string) {
				content := read(t, dir, "Dockerfile")
				content = strings.Replace(content, runtimeFrom, "FROM node:${NODE_MAJOR}-alpine AS runtime", 1)
				write(t, dir, "Dockerfile", "ARG NODE_MAJOR=20\n"+content)
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "runtime", RuleBaseImage, `"node:20-alpine"`,
					lineContaining(t, dir, "Dockerfile", "AS runtime")}
			},
		},
		{
			name: "Dockerfile.dev on node:20-alpine",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile.dev", "FROM node:22-alpine\n", "FROM node:20-alpine\n")
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile.dev", "#0", RuleBaseImage, "node:20-alpine",
					lineContaining(t, dir, "Dockerfile.dev", "FROM node:20-alpine")}
			},
		},
		{
			name: "syntax directive",
			inject: func(t *testing.T, dir string) {
				write(t, dir, "Dockerfile", "# syntax=docker/dockerfile:1.7\n"+read(t, dir, "Dockerfile"))
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "", RuleSyntaxDirective, `"docker/dockerfile:1.7"`, 1}
			},
		},
		{
			name: "syntax directive, spaced and upper case, in Dockerfile.dev",
			inject: func(t *testing.T, dir string) {
				write(t, dir, "Dockerfile.dev", "#  SYNTAX = docker/dockerfile:1\n"+read(t, dir, "Dockerfile.dev"))
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile.dev", "", RuleSyntaxDirective, "docker/dockerfile:1", 1}
			},
		},
		{
			name: "apk in a RUN",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile", "USER node\n", "RUN apk add --no-cache tini\nUSER node\n")
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "runtime", RuleApk, "apk", lineContaining(t, dir, "Dockerfile", "RUN apk add")}
			},
		},
		{
			name: "apk inside a continued RUN line",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile.dev", "RUN mkdir -p dist", "RUN true \\\n    && /sbin/apk update && mkdir -p dist")
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile.dev", "#0", RuleApk, "apk", lineContaining(t, dir, "Dockerfile.dev", "RUN true")}
			},
		},
		{
			name: "build stage pinned to one platform",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile", builderFrom, strings.Replace(builderFrom, "$BUILDPLATFORM", "linux/amd64", 1))
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "builder", RulePlatform, "--platform=linux/amd64", lineContaining(t, dir, "Dockerfile", "AS builder")}
			},
		},
		{
			name: "build stage without $BUILDPLATFORM would run under QEMU",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile", uiBuilderFrom, "FROM node:22-alpine AS ui-builder")
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "ui-builder", RuleStageLayout, "$BUILDPLATFORM", lineContaining(t, dir, "Dockerfile", "AS ui-builder")}
			},
		},
		{
			name: "runtime stage built on the build platform",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "Dockerfile", runtimeFrom, "FROM --platform=$BUILDPLATFORM node:22-alpine AS runtime")
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "runtime", RuleStageLayout, "must not set --platform", lineContaining(t, dir, "Dockerfile", "AS runtime")}
			},
		},
		{
			name: "runtime is not the last stage",
			inject: func(t *testing.T, dir string) {
				write(t, dir, "Dockerfile", read(t, dir, "Dockerfile")+"\nFROM runtime AS debug\n")
			},
			want: func(t *testing.T, dir string) want {
				return want{"Dockerfile", "debug", RuleStageLayout, `must be "runtime"`, lineContaining(t, dir, "Dockerfile", "AS debug")}
			},
		},
		{
			name:   "wrong .nvmrc",
			inject: func(t *testing.T, dir string) { write(t, dir, ".nvmrc", "20\n") },
			want: func(t *testing.T, dir string) want {
				return want{".nvmrc", "", RuleNvmrc, `.nvmrc is "20", want "22.11.0"`, 1}
			},
		},
		{
			name:   "missing .nvmrc",
			inject: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, ".nvmrc")) },
			want:   func(t *testing.T, dir string) want { return want{".nvmrc", "", RuleMissing, "missing", 0} },
		},
		{
			name: "missing Dockerfile.dev",
			inject: func(t *testing.T, dir string) {
				os.Remove(filepath.Join(dir, "Dockerfile.dev"))
			},
			want: func(t *testing.T, dir string) want { return want{"Dockerfile.dev", "", RuleMissing, "missing", 0} },
		},
		{
			name: "wrong engines.node in package.json",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "package.json", `"node": ">=22.11.0"`, `"node": ">=20"`)
			},
			want: func(t *testing.T, dir string) want {
				return want{"package.json", "", RuleEngines, `engines.node is ">=20", want ">=22.11.0"`,
					lineContaining(t, dir, "package.json", `"engines"`)}
			},
		},
		{
			name: "engines.node removed from package.json",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "package.json", `"node": ">=22.11.0"`, `"npm": ">=10"`)
			},
			want: func(t *testing.T, dir string) want {
				return want{"package.json", "", RuleEngines, `engines.node is ""`, -1}
			},
		},
		{
			name: "lockfile engines drifted from package.json",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "package-lock.json", `"node": ">=22.11.0"`, `"node": ">=18"`)
			},
			want: func(t *testing.T, dir string) want {
				return want{"package-lock.json", "", RuleEngines, `">=18"`, -1}
			},
		},
		{
			name: "native production dependency",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "package-lock.json", `"node_modules/prom-client": {`,
					`"node_modules/prom-client": {
      "hasInstallScript": true,`)
			},
			want: func(t *testing.T, dir string) want {
				return want{"package-lock.json", "", RuleNativeDep, "production package prom-client has an install script",
					lineContaining(t, dir, "package-lock.json", `"node_modules/prom-client": {`)}
			},
		},
		{
			name: "platform-specific production dependency",
			inject: func(t *testing.T, dir string) {
				replaceOnce(t, dir, "package-lock.json", `"node_modules/tdigest": {`,
					`"node_modules/tdigest": {
      "cpu": ["x64"],`)
			},
			want: func(t *testing.T, dir string) want {
				return want{"package-lock.json", "", RuleNativeDep, "tdigest is restricted to os=[] cpu=[x64]", -1}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyRepo(t)
			tc.inject(t, dir)
			expectExactly(t, CheckAll(dir), tc.want(t, dir))
		})
	}
}

// Variants that must stay accepted, so the policy does not push people to
// weaken the Dockerfiles.
func TestAcceptedVariants(t *testing.T) {
	cases := []struct {
		name   string
		inject func(t *testing.T, dir string)
	}{
		{"digest-pinned base", func(t *testing.T, dir string) {
			replaceOnce(t, dir, "Dockerfile", runtimeFrom,
				"FROM node:22-alpine@sha256:"+strings.Repeat("ab", 32)+" AS runtime")
		}},
		{"fully qualified base", func(t *testing.T, dir string) {
			replaceOnce(t, dir, "Dockerfile", runtimeFrom, "FROM docker.io/library/node:22-alpine AS runtime")
		}},
		{"base from a global ARG", func(t *testing.T, dir string) {
			content := strings.Replace(read(t, dir, "Dockerfile"), runtimeFrom, "FROM ${NODE_IMAGE} AS runtime", 1)
			write(t, dir, "Dockerfile", "ARG NODE_IMAGE=node:22-alpine\n"+content)
		}},
		{"${BUILDPLATFORM} in braces", func(t *testing.T, dir string) {
			replaceOnce(t, dir, "Dockerfile", builderFrom, strings.Replace(builderFrom, "$BUILDPLATFORM", "${BUILDPLATFORM}", 1))
		}},
		{"a stage based on an earlier stage", func(t *testing.T, dir string) {
			write(t, dir, "Dockerfile.dev", read(t, dir, "Dockerfile.dev")+"\nFROM 0 AS again\n")
			replaceOnce(t, dir, "Dockerfile.dev", "FROM node:22-alpine\n", "FROM node:22-alpine AS dev\n")
			replaceOnce(t, dir, "Dockerfile.dev", "FROM 0 AS again", "FROM dev AS again")
		}},
		{"the word apk in a comment or another word", func(t *testing.T, dir string) {
			replaceOnce(t, dir, "Dockerfile.dev", "USER node\n", "# apk is not available here\nRUN echo apk-tools-free > /tmp/note\nUSER node\n")
		}},
		{"a syntax-looking comment after the first comment", func(t *testing.T, dir string) {
			write(t, dir, "Dockerfile", "# hello\n# syntax=docker/dockerfile:1\n"+read(t, dir, "Dockerfile"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyRepo(t)
			tc.inject(t, dir)
			if got := CheckAll(dir); len(got) != 0 {
				t.Fatalf("want no findings, got:\n%s", list(got))
			}
		})
	}
}

func TestDevDependencyScriptsAreAllowed(t *testing.T) {
	// esbuild (a devDependency) has an install script; it never reaches the
	// runtime image, so it must not be reported.
	if !strings.Contains(read(t, repoRoot, "package-lock.json"), `"hasInstallScript": true`) {
		t.Skip("no dev package with an install script in the lockfile")
	}
	if got := CheckLockfilePureJS(repoRoot); len(got) != 0 {
		t.Fatalf("unexpected findings:\n%s", list(got))
	}
}

func TestUnparsableDockerfile(t *testing.T) {
	got := CheckDockerfile("Dockerfile", []byte("RUN echo no from here\n"), DockerfileRules{FinalStage: "runtime"})
	rules := map[string]bool{}
	for _, f := range got {
		rules[f.Rule] = true
	}
	if !rules[RuleParse] || !rules[RuleStageLayout] {
		t.Fatalf("want parse and stage-layout findings, got:\n%s", list(got))
	}
}

func TestFindingString(t *testing.T) {
	f := Finding{File: "Dockerfile", Line: 18, Stage: "builder", Rule: RuleBaseImage, Message: "base image x"}
	if got, want := f.String(), `Dockerfile:18: stage "builder": base image x [base-image]`; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	f = Finding{File: ".nvmrc", Rule: RuleMissing, Message: "file is missing"}
	if got, want := f.String(), ".nvmrc: file is missing [missing-file]"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}
