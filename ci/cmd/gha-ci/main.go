// Command gha-ci runs the pipeline from a GitHub Actions step and reports it
// the GitHub way: it calls the Dagger module's ci-report function through the
// Dagger CLI, reads the exported report.json, writes an ::error annotation
// for every failed stage (and for each file:line finding in it), a notice for
// every skipped stage, appends summary.md to the step summary, prints the
// table, and exits non-zero when any stage failed.
//
// Usage (from the repository root, with the Dagger CLI on PATH):
//
//	go run ./ci/cmd/gha-ci                       # lint, test, audit, snyk, build
//	go run ./ci/cmd/gha-ci -publish -version 1.2.3 -latest
//	go run ./ci/cmd/gha-ci -report ./ci-report   # only report an exported run
//
// Secrets are never put on a command line: the Snyk token and the registry
// password are passed to Dagger as env://NAME references, which the Dagger
// CLI resolves itself.
//
// Exit codes: 0 every stage passed (or was skipped), 1 a stage failed,
// 2 the pipeline could not run or report (bad flags, Dagger error, unreadable
// report).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"dagger/connector-ci/internal/summary"

	"github.com/sethvargo/go-githubactions"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr, execDagger))
}

// options are the command's flags.
type options struct {
	dagger      string
	module      string
	reportDir   string
	outDir      string
	ci          bool
	snykEnv     string
	snykImage   string
	publish     bool
	registry    string
	repository  string
	sha         string
	version     string
	latest      bool
	username    string
	passwordEnv string
	platforms   string
}

// daggerRunner runs the Dagger CLI with args, streaming its output.
type daggerRunner func(bin string, args []string, stdout, stderr io.Writer) error

func execDagger(bin string, args []string, stdout, stderr io.Writer) error {
	cmd := exec.Command(bin, args...)
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.Stdin = nil
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), err)
	}
	return nil
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("gha-ci", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dagger, "dagger", "dagger", "the Dagger CLI to run")
	fs.StringVar(&o.module, "m", ".", "the Dagger module (the directory with dagger.json)")
	fs.StringVar(&o.reportDir, "report", "", "report an already exported ci-report directory instead of running the pipeline")
	fs.StringVar(&o.outDir, "out", "", "where to export the report (report.json, summary.md, summary.txt); default: a new temporary directory")
	fs.BoolVar(&o.ci, "ci", getenv("CI") == "true" || getenv("GITHUB_ACTIONS") == "true", "CI mode: a missing Snyk token fails the snyk stage (default: on when CI=true)")
	fs.StringVar(&o.snykEnv, "snyk-token-env", "SNYK_TOKEN", "the environment variable holding the Snyk token (passed as env://NAME when set)")
	fs.StringVar(&o.snykImage, "snyk-image", "", "override the Snyk CLI image")
	fs.BoolVar(&o.publish, "publish", false, "publish the image after every stage passed")
	fs.StringVar(&o.registry, "registry", "ghcr.io", "with -publish: the registry host")
	fs.StringVar(&o.repository, "repository", strings.ToLower(getenv("GITHUB_REPOSITORY")), "with -publish: the repository path (default: $GITHUB_REPOSITORY, lowercased)")
	fs.StringVar(&o.sha, "sha", getenv("GITHUB_SHA"), "with -publish: the commit to tag (default: $GITHUB_SHA)")
	fs.StringVar(&o.version, "version", "", "with -publish: a semantic version to tag as well")
	fs.BoolVar(&o.latest, "latest", false, "with -publish: also tag latest")
	fs.StringVar(&o.username, "username", getenv("GITHUB_ACTOR"), "with -publish: the registry user (default: $GITHUB_ACTOR)")
	fs.StringVar(&o.passwordEnv, "password-env", "GITHUB_TOKEN", "with -publish: the environment variable holding the registry password")
	fs.StringVar(&o.platforms, "platforms", "", "comma-separated platforms (default: the module's, linux/amd64,linux/arm64)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.repository = strings.ToLower(o.repository)
	return o, nil
}

// daggerArgs builds the `dagger call ci-report ... export` command line.
// Secrets are referenced by name only.
func daggerArgs(o options, getenv func(string) string, outDir string) ([]string, error) {
	args := []string{"call", "-m", o.module}
	if getenv("GITHUB_ACTIONS") == "true" {
		args = append([]string{"--progress=plain"}, args...)
	}
	args = append(args, "ci-report")
	if o.ci {
		args = append(args, "--ci")
	}
	if o.snykEnv != "" && getenv(o.snykEnv) != "" {
		args = append(args, "--snyk-token", "env://"+o.snykEnv)
	}
	if o.snykImage != "" {
		args = append(args, "--snyk-image", o.snykImage)
	}
	if o.platforms != "" {
		args = append(args, "--platforms", o.platforms)
	}
	if o.publish {
		if o.repository == "" || o.sha == "" {
			return nil, errors.New("-publish needs -repository and -sha (or $GITHUB_REPOSITORY and $GITHUB_SHA)")
		}
		args = append(args, "--publish", "--registry", o.registry, "--repository", o.repository, "--sha", o.sha)
		if o.version != "" {
			args = append(args, "--version", o.version)
		}
		if o.latest {
			args = append(args, "--latest")
		}
		if o.passwordEnv != "" && getenv(o.passwordEnv) != "" {
			if o.username == "" {
				return nil, fmt.Errorf("-publish: $%s is set but no -username (or $GITHUB_ACTOR)", o.passwordEnv)
			}
			args = append(args, "--username", o.username, "--password", "env://"+o.passwordEnv)
		}
	}
	return append(args, "export", "--path", outDir), nil
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer, runDagger daggerRunner) int {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "gha-ci: %v\n", err)
		return 2
	}
	gh := githubactions.New(githubactions.WithWriter(stdout), githubactions.WithGetenv(getenv))

	dir := o.reportDir
	if dir == "" {
		dir = o.outDir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "ci-report-")
			if err != nil {
				fmt.Fprintf(stderr, "gha-ci: create a directory for the report: %v\n", err)
				return 2
			}
			dir = filepath.Join(tmp, "report")
		} else if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintf(stderr, "gha-ci: clear the old report in %s: %v\n", dir, err)
			return 2
		}
		dargs, err := daggerArgs(o, getenv, dir)
		if err != nil {
			fmt.Fprintf(stderr, "gha-ci: %v\n", err)
			return 2
		}
		if err := runDagger(o.dagger, dargs, stderr, stderr); err != nil {
			gh.WithFieldsMap(map[string]string{"title": "ci: the pipeline did not run"}).
				Errorf("dagger call ci-report failed, so no stage can be trusted: %v", err)
			fmt.Fprintf(stderr, "gha-ci: %v\n", err)
			return 2
		}
	}

	report, md, err := readReport(dir)
	if err != nil {
		gh.WithFieldsMap(map[string]string{"title": "ci: no usable report"}).Errorf("%v", err)
		fmt.Fprintf(stderr, "gha-ci: %v\n", err)
		return 2
	}

	annotate(gh, report)
	if getenv("GITHUB_STEP_SUMMARY") != "" {
		if err := addStepSummary(gh, md); err != nil {
			fmt.Fprintf(stderr, "gha-ci: %v\n", err)
			return 2
		}
	}
	fmt.Fprint(stdout, report.Text())
	if !report.Passed {
		return 1
	}
	return 0
}

func readReport(dir string) (*summary.Report, string, error) {
	js, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return nil, "", fmt.Errorf("read the ci report: %w", err)
	}
	report, err := summary.Parse(js)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", filepath.Join(dir, "report.json"), err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		// The markdown can be rebuilt from the report.
		return report, report.Markdown(), nil
	}
	return report, string(md), nil
}

// addStepSummary appends to $GITHUB_STEP_SUMMARY; the library panics when
// the file cannot be written, which is turned into an error here.
func addStepSummary(gh *githubactions.Action, md string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write the step summary: %v", r)
		}
	}()
	gh.AddStepSummary(md)
	return nil
}

// maxFileAnnotations bounds the per-finding annotations (GitHub shows only
// the first few per step anyway).
const maxFileAnnotations = 20

var findingRe = regexp.MustCompile(`^\s*([A-Za-z0-9_./-]+\.[A-Za-z0-9]+):(\d+)(?::(\d+))?:\s*(.+)$`)

func annotate(gh *githubactions.Action, r *summary.Report) {
	files := 0
	for _, s := range r.Stages {
		switch s.Status {
		case summary.Pass:
			continue
		case summary.Skip:
			gh.WithFieldsMap(map[string]string{"title": "ci " + s.Name + ": skipped"}).Noticef("%s", s.FirstLine())
			continue
		}
		gh.WithFieldsMap(map[string]string{"title": "ci " + s.Name + ": " + string(s.Status)}).
			Errorf("%s", firstLines(s.Reason, 30))
		for _, line := range strings.Split(s.Reason, "\n") {
			m := findingRe.FindStringSubmatch(line)
			if m == nil || files >= maxFileAnnotations {
				continue
			}
			files++
			fields := map[string]string{"file": m[1], "line": m[2], "title": "ci " + s.Name}
			if m[3] != "" {
				fields["col"] = m[3]
			}
			gh.WithFieldsMap(fields).Errorf("%s", m[4])
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("[... %d more lines in the step summary ...]", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}
