package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"dagger/connector-ci/internal/dagger"
	"dagger/connector-ci/internal/summary"
	"dagger/connector-ci/internal/toolout"
)

// outcome is what a stage found: PASS, FAIL or SKIP, and why. Stages return
// an outcome instead of an error so that the ci function can tell a skip
// from a pass and keep running the other stages after a failure.
type outcome struct {
	status summary.Status
	// reason is the full message; its first line goes in the summary table.
	reason string
}

func passed(format string, a ...any) outcome {
	return outcome{status: summary.Pass, reason: fmt.Sprintf(format, a...)}
}

func failed(format string, a ...any) outcome {
	return outcome{status: summary.Fail, reason: fmt.Sprintf(format, a...)}
}

func skipped(format string, a ...any) outcome {
	return outcome{status: summary.Skip, reason: fmt.Sprintf(format, a...)}
}

// failedErr turns an error into a failed outcome.
func failedErr(err error) outcome {
	return outcome{status: summary.Fail, reason: err.Error()}
}

// result is how the single-stage functions (lint, test, ...) report: the
// outcome as text when it passed or was skipped, an error when it failed.
func (o outcome) result() (string, error) {
	text := fmt.Sprintf("%s: %s", o.status, strings.TrimRight(o.reason, "\n"))
	if o.status == summary.Pass || o.status == summary.Skip {
		return text + "\n", nil
	}
	return "", errors.New(text)
}

// timed runs a stage and records its duration.
func timed(name string, f func() outcome) summary.Stage {
	start := time.Now()
	o := f()
	return summary.Stage{Name: name, Status: o.status, Duration: time.Since(start), Reason: o.reason}
}

// execResult is a finished command whose exit code the caller judges.
type execResult struct {
	exitCode int
	stdout   string
	stderr   string
}

// combined is stdout then stderr, trimmed.
func (r execResult) combined() string {
	return strings.TrimSpace(strings.TrimSpace(r.stdout) + "\n" + strings.TrimSpace(r.stderr))
}

// run executes args in ctr and returns the exit code and output whatever the
// exit code is. An error means the command could not be run at all (image
// missing, build of an earlier step failed, ...).
func run(ctx context.Context, what string, ctr *dagger.Container, args []string) (execResult, error) {
	done, err := ctr.WithExec(args, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny}).Sync(ctx)
	if err != nil {
		return execResult{}, describe(what, err)
	}
	code, err := done.ExitCode(ctx)
	if err != nil {
		return execResult{}, describe(what+": read exit code", err)
	}
	stdout, err := done.Stdout(ctx)
	if err != nil {
		return execResult{}, describe(what+": read stdout", err)
	}
	stderr, err := done.Stderr(ctx)
	if err != nil {
		return execResult{}, describe(what+": read stderr", err)
	}
	return execResult{exitCode: code, stdout: stdout, stderr: stderr}, nil
}

// describe wraps err with what failed; for a command that exited non-zero
// it shows the command, its exit code and the end of its output, which the
// bare error message does not carry.
func describe(what string, err error) error {
	var ee *dagger.ExecError
	if errors.As(err, &ee) {
		out := strings.TrimSpace(strings.TrimSpace(ee.Stdout) + "\n" + strings.TrimSpace(ee.Stderr))
		if out == "" {
			out = "(no output)"
		}
		return fmt.Errorf("%s: `%s` exited with code %d:\n%s", what, strings.Join(ee.Cmd, " "), ee.ExitCode, toolout.Tail(out, 60))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// nodeBase is node:22-alpine with the source in /src and npm's download
// cache in a namespaced cache volume.
func (m *ConnectorCi) nodeBase() *dagger.Container {
	return dag.Container().
		From(nodeImage).
		WithMountedCache(npmCacheDir, dag.CacheVolume(npmCacheVolume)).
		WithEnvVariable("NPM_CONFIG_CACHE", npmCacheDir).
		WithEnvVariable("NPM_CONFIG_UPDATE_NOTIFIER", "false").
		WithEnvVariable("NPM_CONFIG_FUND", "false").
		WithEnvVariable("CI", "true").
		WithDirectory(srcDir, m.Source).
		WithWorkdir(srcDir)
}

// installed is nodeBase after `npm ci`. The engine runs this step once even
// when lint and test ask for it concurrently.
func (m *ConnectorCi) installed() *dagger.Container {
	return m.nodeBase().WithExec([]string{"npm", "ci", "--no-audit", "--no-fund"})
}

// exists reports whether path exists in the source.
func (m *ConnectorCi) exists(ctx context.Context, path string) (bool, error) {
	ok, err := m.Source.Exists(ctx, path)
	if err != nil {
		return false, fmt.Errorf("check whether %s exists in the source: %w", path, err)
	}
	return ok, nil
}
