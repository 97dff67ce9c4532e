// Package workflowlint runs actionlint, as a Go library, over the GitHub
// Actions workflows of a checkout, and returns its findings as
// "path:line:col: message [rule]" lines.
package workflowlint

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
)

// Lint checks every *.yml and *.yaml file in root/.github/workflows. root is
// a directory laid out like the repository (it need not be a Git checkout).
// A repository config in root/.github/actionlint.yaml is honoured. It
// returns the findings (paths relative to root) and the files checked; an
// error means the linter itself could not run.
func Lint(root string) (findings []string, files []string, err error) {
	wfDir := filepath.Join(root, ".github", "workflows")
	for _, pat := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(wfDir, pat))
		if err != nil {
			return nil, nil, fmt.Errorf("list workflows in %s: %w", wfDir, err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, nil, nil
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve %s: %w", root, err)
	}
	project, err := actionlint.NewProject(abs)
	if err != nil {
		return nil, nil, fmt.Errorf("load actionlint config under %s/.github: %w", root, err)
	}
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
		// No shellcheck/pyflakes integration: shell scripts are checked by
		// the shellcheck sub-check, and run: blocks are not worth a second
		// external tool inside the module runtime.
		Shellcheck: "",
		Pyflakes:   "",
		WorkingDir: abs,
		Color:      actionlint.ColorOptionKindNever,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create actionlint linter: %w", err)
	}
	rel := make([]string, 0, len(files))
	for _, f := range files {
		r, err := filepath.Rel(abs, mustAbs(f))
		if err != nil {
			r = f
		}
		rel = append(rel, filepath.ToSlash(r))
	}
	for i, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", rel[i], err)
		}
		errs, err := linter.Lint(mustAbs(f), content, project)
		if err != nil {
			return nil, nil, fmt.Errorf("actionlint %s: %w", rel[i], err)
		}
		for _, e := range errs {
			findings = append(findings, fmt.Sprintf("%s:%d:%d: %s [%s]", rel[i], e.Line, e.Column, strings.TrimSpace(e.Message), e.Kind))
		}
	}
	return findings, rel, nil
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
