package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dagger/connector-ci/internal/dagger"
	"dagger/connector-ci/internal/monitoring"
	"dagger/connector-ci/internal/summary"
	"dagger/connector-ci/internal/toolout"
	"dagger/connector-ci/internal/workflowlint"

	"golang.org/x/sync/errgroup"
)

// Lint runs every linter over the repository and fails if any reports a
// finding: eslint (`npm run lint`), shellcheck on scripts/*.sh, actionlint on
// .github/workflows, and — when monitoring/ has them — `promtool check
// config`, `promtool check rules` and `amtool check-config`. The linters run
// concurrently and all their findings are reported, not only the first.
//
// +check
func (m *ConnectorCi) Lint(ctx context.Context) (string, error) {
	return m.lint(ctx).result()
}

// subLint is the result of one linter.
type subLint struct {
	name   string
	status summary.Status
	// text is a one-line verdict; details are the findings, one per line.
	text    string
	details string
}

func (m *ConnectorCi) lint(ctx context.Context) outcome {
	mon, monErr := m.monitoringConfigs(ctx)
	checks := []struct {
		name string
		run  func(context.Context) subLint
	}{
		{"eslint", m.eslint},
		{"shellcheck", m.shellcheck},
		{"actionlint", m.actionlint},
		{"promtool", func(ctx context.Context) subLint { return m.promtool(ctx, mon, monErr) }},
		{"amtool", func(ctx context.Context) subLint { return m.amtool(ctx, mon, monErr) }},
	}
	results := make([]subLint, len(checks))
	var g errgroup.Group // no shared context: one linter failing must not cancel the others
	for i, c := range checks {
		g.Go(func() error {
			results[i] = c.run(ctx)
			results[i].name = c.name
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return failed("lint: %v", err)
	}

	var failedNames []string
	var b strings.Builder
	for _, r := range results {
		fmt.Fprintf(&b, "%-10s %s  %s\n", r.name, r.status, r.text)
		if r.status == summary.Fail {
			failedNames = append(failedNames, fmt.Sprintf("%s (%s)", r.name, r.text))
		}
	}
	for _, r := range results {
		if r.details != "" {
			fmt.Fprintf(&b, "\n%s:\n%s\n", r.name, toolout.Indent(r.details, "  "))
		}
	}
	if len(failedNames) > 0 {
		return failed("lint failed: %s\n\n%s", strings.Join(failedNames, "; "), b.String())
	}
	return passed("all linters passed\n\n%s", b.String())
}

func lintFail(text, details string) subLint {
	return subLint{status: summary.Fail, text: text, details: details}
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// eslint runs the project's own lint script after `npm ci`.
func (m *ConnectorCi) eslint(ctx context.Context) subLint {
	res, err := run(ctx, "eslint: npm ci && npm run lint", m.installed(), []string{"npm", "run", "lint"})
	if err != nil {
		return lintFail("could not run", err.Error())
	}
	if res.exitCode == 0 {
		return subLint{status: summary.Pass, text: "npm run lint: no findings"}
	}
	out := res.combined()
	if findings := toolout.ESLintStylish(res.stdout, srcDir+"/"); len(findings) > 0 {
		return lintFail(plural(len(findings), "finding"), toolout.Head(strings.Join(findings, "\n"), 200))
	}
	return lintFail(fmt.Sprintf("npm run lint exited %d", res.exitCode), toolout.Tail(out, 60))
}

// shellcheck checks every shell script under scripts/.
func (m *ConnectorCi) shellcheck(ctx context.Context) subLint {
	files, err := globAll(ctx, m.Source, "scripts/*.sh", "scripts/**/*.sh")
	if err != nil {
		return lintFail("could not list scripts", err.Error())
	}
	if len(files) == 0 {
		return subLint{status: summary.Skip, text: "no scripts/*.sh in the source"}
	}
	ctr := dag.Container().From(shellcheckImage).
		WithoutEntrypoint().
		WithDirectory(srcDir+"/scripts", m.Source.Directory("scripts")).
		WithWorkdir(srcDir)
	args := append([]string{"shellcheck", "--format=gcc", "--external-sources", "--source-path=SCRIPTDIR"}, files...)
	res, err := run(ctx, "shellcheck", ctr, args)
	if err != nil {
		return lintFail("could not run in "+shellcheckImage, err.Error())
	}
	switch res.exitCode {
	case 0:
		return subLint{status: summary.Pass, text: fmt.Sprintf("%s: no findings", plural(len(files), "script"))}
	case 1:
		lines := nonEmptyLines(res.stdout)
		return lintFail(plural(len(lines), "finding"), toolout.Head(strings.Join(lines, "\n"), 200))
	default:
		return lintFail(fmt.Sprintf("shellcheck exited %d (bad options or unreadable file)", res.exitCode), toolout.Tail(res.combined(), 40))
	}
}

// actionlint lints the workflows in-process with the actionlint library.
func (m *ConnectorCi) actionlint(ctx context.Context) subLint {
	files, err := globAll(ctx, m.Source, ".github/workflows/*.yml", ".github/workflows/*.yaml")
	if err != nil {
		return lintFail("could not list workflows", err.Error())
	}
	if len(files) == 0 {
		return subLint{status: summary.Skip, text: "no .github/workflows/*.yml in the source"}
	}
	tmp, err := os.MkdirTemp("", "actionlint-")
	if err != nil {
		return lintFail("could not run", fmt.Sprintf("create a temporary directory: %v", err))
	}
	defer func() {
		if err := os.RemoveAll(tmp); err != nil {
			fmt.Fprintf(os.Stderr, "actionlint: remove %s: %v\n", tmp, err)
		}
	}()
	if _, err := m.Source.Directory(".github").Export(ctx, filepath.Join(tmp, ".github")); err != nil {
		return lintFail("could not run", describe("export .github for actionlint", err).Error())
	}
	findings, checked, err := workflowlint.Lint(tmp)
	if err != nil {
		return lintFail("could not run", err.Error())
	}
	if len(findings) > 0 {
		return lintFail(plural(len(findings), "finding"), toolout.Head(strings.Join(findings, "\n"), 200))
	}
	return subLint{status: summary.Pass, text: fmt.Sprintf("%s: no findings", plural(len(checked), "workflow"))}
}

// monitoringConfigs classifies the YAML files under monitoring/ (promtool
// and amtool both need it).
func (m *ConnectorCi) monitoringConfigs(ctx context.Context) (monitoring.Files, error) {
	var f monitoring.Files
	names, err := globAll(ctx, m.Source, "monitoring/**/*.yml", "monitoring/**/*.yaml")
	if err != nil {
		return f, err
	}
	for _, n := range names {
		content, err := m.Source.File(n).Contents(ctx)
		if err != nil {
			return f, fmt.Errorf("read %s from the source: %w", n, err)
		}
		f.Add(n, content)
	}
	f.Sort()
	return f, nil
}

// monitoringContainer is a Prometheus-project image (entrypoint removed) with
// monitoring/ at /src/monitoring. Relative paths in the configs (rule_files,
// templates) resolve against each config file's own directory, as in the
// deployed containers.
func (m *ConnectorCi) monitoringContainer(image string) *dagger.Container {
	return dag.Container().From(image).
		WithoutEntrypoint().
		WithDirectory(srcDir+"/monitoring", m.Source.Directory("monitoring")).
		WithWorkdir(srcDir)
}

// promtool checks the Prometheus configuration (including the rule files it
// names), every rule file, and runs the alerting-rule unit tests.
func (m *ConnectorCi) promtool(ctx context.Context, f monitoring.Files, err error) subLint {
	if err != nil {
		return lintFail("could not list monitoring files", err.Error())
	}
	if len(f.PrometheusConfigs)+len(f.RuleFiles)+len(f.RuleTests) == 0 {
		return subLint{status: summary.Skip, text: "no Prometheus config, rule or rule test files under monitoring/"}
	}
	ctr := m.monitoringContainer(prometheusImage)
	type check struct {
		what string
		args []string
	}
	var checks []check
	for _, cfg := range f.PrometheusConfigs {
		checks = append(checks, check{"promtool check config " + cfg, []string{"promtool", "check", "config", cfg}})
	}
	if len(f.RuleFiles) > 0 {
		checks = append(checks, check{"promtool check rules", append([]string{"promtool", "check", "rules"}, f.RuleFiles...)})
	}
	for _, t := range f.RuleTests {
		checks = append(checks, check{"promtool test rules " + t, []string{"promtool", "test", "rules", t}})
	}
	var problems, done []string
	for _, c := range checks {
		res, err := run(ctx, c.what, ctr, c.args)
		if err != nil {
			return lintFail("could not run in "+prometheusImage, err.Error())
		}
		if res.exitCode != 0 {
			problems = append(problems, fmt.Sprintf("%s exited %d:\n%s", c.what, res.exitCode, toolout.Indent(toolout.Tail(res.combined(), 60), "  ")))
			continue
		}
		done = append(done, strings.TrimPrefix(c.what, "promtool "))
	}
	if len(problems) > 0 {
		return lintFail(plural(len(problems), "failed check"), strings.Join(problems, "\n"))
	}
	return subLint{status: summary.Pass, text: strings.Join(done, "; ") + ": ok"}
}

// amtool checks the Alertmanager configuration.
func (m *ConnectorCi) amtool(ctx context.Context, f monitoring.Files, err error) subLint {
	if err != nil {
		return lintFail("could not list monitoring files", err.Error())
	}
	if len(f.AlertmanagerConfigs) == 0 {
		return subLint{status: summary.Skip, text: "no Alertmanager config under monitoring/"}
	}
	res, err := run(ctx, "amtool check-config", m.monitoringContainer(alertmanagerImage),
		append([]string{"amtool", "check-config"}, f.AlertmanagerConfigs...))
	if err != nil {
		return lintFail("could not run in "+alertmanagerImage, err.Error())
	}
	if res.exitCode != 0 {
		return lintFail(fmt.Sprintf("amtool check-config exited %d", res.exitCode), toolout.Tail(res.combined(), 60))
	}
	return subLint{status: summary.Pass, text: fmt.Sprintf("%s valid (%s)", plural(len(f.AlertmanagerConfigs), "file"), strings.Join(f.AlertmanagerConfigs, ", "))}
}

// globAll returns the sorted union of several glob patterns over dir.
func globAll(ctx context.Context, dir *dagger.Directory, patterns ...string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range patterns {
		m, err := dir.Glob(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("glob %s in the source: %w", p, err)
		}
		for _, f := range m {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, "\r"))
		}
	}
	return out
}
