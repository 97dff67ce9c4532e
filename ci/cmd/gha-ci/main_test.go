package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dagger/connector-ci/internal/summary"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeReport(t *testing.T, dir string, r *summary.Report) {
	t.Helper()
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), []byte(r.Markdown()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func failing() *summary.Report {
	return summary.New(
		summary.Stage{Name: "lint", Status: summary.Fail, Duration: time.Second,
			Reason: "lint failed: shellcheck (1 finding)\n\nshellcheck:\n  scripts/local-engine.sh:12:5: warning: Quote this to prevent word splitting. [SC2086]"},
		summary.Stage{Name: "test", Status: summary.Pass, Duration: time.Second, Reason: "npm test: 3 tests: 3 passed, 0 failed"},
		summary.Stage{Name: "snyk", Status: summary.Skip, Reason: "snyk skipped: no Snyk token given"},
	)
}

func TestReportFailedStagesAsAnnotationsAndSummary(t *testing.T) {
	dir := t.TempDir()
	writeReport(t, filepath.Join(dir, "r"), failing())
	stepSummary := filepath.Join(dir, "step-summary.md")
	var out, errb bytes.Buffer
	code := run([]string{"-report", filepath.Join(dir, "r")}, env(map[string]string{"GITHUB_STEP_SUMMARY": stepSummary}), &out, &errb,
		func(string, []string, io.Writer, io.Writer) error {
			t.Fatal("dagger must not run with -report")
			return nil
		})
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a stage failed); stderr=%s", code, errb.String())
	}
	o := out.String()
	for _, s := range []string{
		"::error title=ci lint%3A FAIL::lint failed: shellcheck (1 finding)",
		"::error col=5,file=scripts/local-engine.sh,line=12,title=ci lint::warning: Quote this",
		"::notice title=ci snyk%3A skipped::snyk skipped: no Snyk token given",
		"CI FAILED: 1 of 3 stage(s) failed: lint",
	} {
		if !strings.Contains(o, s) {
			t.Errorf("stdout lacks %q:\n%s", s, o)
		}
	}
	if strings.Contains(o, "::error title=ci test") {
		t.Errorf("passing stage annotated:\n%s", o)
	}
	md, err := os.ReadFile(stepSummary)
	if err != nil {
		t.Fatalf("step summary not written: %v", err)
	}
	if !strings.Contains(string(md), "| lint | FAIL |") {
		t.Errorf("step summary:\n%s", md)
	}
}

func TestAllGreenExitsZero(t *testing.T) {
	dir := t.TempDir()
	writeReport(t, dir, summary.New(summary.Stage{Name: "lint", Status: summary.Pass}, summary.Stage{Name: "snyk", Status: summary.Skip}))
	var out bytes.Buffer
	if code := run([]string{"-report", dir}, env(nil), &out, io.Discard, nil); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

func TestMissingOrLyingReportExitsTwo(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if code := run([]string{"-report", dir}, env(nil), &out, io.Discard, nil); code != 2 {
		t.Fatalf("missing report: exit %d", code)
	}
	if !strings.Contains(out.String(), "::error title=ci%3A no usable report::") {
		t.Errorf("no annotation for a missing report:\n%s", out.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), []byte(`{"stages":[{"stage":"a","result":"FAIL"}],"passed":true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"-report", dir}, env(nil), io.Discard, io.Discard, nil); code != 2 {
		t.Fatalf("lying report: exit %d", code)
	}
}

func TestDaggerInvocationPassesSecretsByReferenceOnly(t *testing.T) {
	const canary = "canary-secret-value-7f3a"
	e := env(map[string]string{
		"GITHUB_ACTIONS": "true", "CI": "true", "SNYK_TOKEN": canary, "GITHUB_TOKEN": canary,
		"GITHUB_REPOSITORY": "Acme/M2M-ILP-Connector", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_ACTOR": "octocat",
	})
	var got []string
	var out bytes.Buffer
	code := run([]string{"-publish", "-version", "1.2.3"}, e, &out, io.Discard, func(bin string, args []string, _, _ io.Writer) error {
		got = args
		outDir := args[len(args)-1]
		writeReport(t, outDir, summary.New(summary.Stage{Name: "lint", Status: summary.Pass}))
		return nil
	})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	cmd := strings.Join(got, " ")
	if strings.Contains(cmd, canary) || strings.Contains(out.String(), canary) {
		t.Fatalf("secret value on the command line or in the output: %s", cmd)
	}
	for _, s := range []string{"--progress=plain call -m . ci-report --ci", "--snyk-token env://SNYK_TOKEN",
		"--publish --registry ghcr.io --repository acme/m2m-ilp-connector --sha 0123456789abcdef0123456789abcdef01234567 --version 1.2.3",
		"--username octocat --password env://GITHUB_TOKEN", " export --path "} {
		if !strings.Contains(cmd, s) {
			t.Errorf("dagger args lack %q: %s", s, cmd)
		}
	}
	if strings.Contains(cmd, "--latest") {
		t.Errorf("latest without -latest: %s", cmd)
	}
}

func TestDaggerFailureExitsTwo(t *testing.T) {
	var out bytes.Buffer
	code := run(nil, env(nil), &out, io.Discard, func(string, []string, io.Writer, io.Writer) error {
		return errors.New("exit status 1")
	})
	if code != 2 || !strings.Contains(out.String(), "::error title=ci%3A the pipeline did not run::") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

func TestNoTokenLocallyIsNotCIMode(t *testing.T) {
	args, err := daggerArgs(options{module: "."}, env(nil), "/tmp/x")
	if err != nil {
		t.Fatal(err)
	}
	if cmd := strings.Join(args, " "); cmd != "call -m . ci-report export --path /tmp/x" {
		t.Fatalf("got %q", cmd)
	}
	if _, err := daggerArgs(options{module: ".", publish: true}, env(nil), "/tmp/x"); err == nil {
		t.Fatal("-publish without repository/sha accepted")
	}
}
