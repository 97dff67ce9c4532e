// Package snykreport maps the Snyk CLI's exit codes to a gate decision and
// parses `snyk test --json` output into a table.
//
// Exit codes of `snyk test` (documented by Snyk):
//
//	0  success, no vulnerabilities at or above the threshold
//	1  action needed: vulnerabilities found
//	2  failure: try re-running the command (e.g. authentication, network)
//	3  failure: no supported projects detected
//
// Only 0 passes. Every other code, including unknown ones, fails: a scan that
// could not run is never treated as clean.
package snykreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"dagger/connector-ci/internal/textable"
)

// Outcome is the gate decision for one `snyk test` run.
type Outcome struct {
	Passed bool
	// Reason is a one-line explanation (first line of the stage's message).
	Reason string
	// Details holds the vulnerability table or the CLI's error, when any.
	Details string
}

// Vulnerability is one issue in Snyk's JSON output.
type Vulnerability struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Severity     string   `json:"severity"`
	PackageName  string   `json:"packageName"`
	Version      string   `json:"version"`
	From         []string `json:"from"`
	IsUpgradable bool     `json:"isUpgradable"`
	IsPatchable  bool     `json:"isPatchable"`
	FixedIn      []string `json:"fixedIn"`
	UpgradePath  []any    `json:"upgradePath"`
}

// Project is the result for one project (`snyk test --json` prints one
// object, or an array of them with --all-projects).
type Project struct {
	OK              bool            `json:"ok"`
	Error           string          `json:"error"`
	Path            string          `json:"path"`
	ProjectName     string          `json:"projectName"`
	PackageManager  string          `json:"packageManager"`
	DependencyCount int             `json:"dependencyCount"`
	UniqueCount     int             `json:"uniqueCount"`
	Summary         string          `json:"summary"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
}

// Parse decodes `snyk test --json` stdout (one object or an array).
func Parse(stdout []byte) ([]Project, error) {
	b := bytes.TrimSpace(stdout)
	if len(b) == 0 {
		return nil, fmt.Errorf("snyk printed nothing on stdout")
	}
	switch b[0] {
	case '[':
		var ps []Project
		if err := json.Unmarshal(b, &ps); err != nil {
			return nil, fmt.Errorf("decode snyk JSON array: %w", err)
		}
		return ps, nil
	case '{':
		var p Project
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("decode snyk JSON object: %w", err)
		}
		return []Project{p}, nil
	}
	return nil, fmt.Errorf("snyk printed something other than JSON: %s", firstLine(string(b)))
}

// Decide maps an exit code and the JSON output to an outcome.
func Decide(exitCode int, stdout []byte) Outcome {
	projects, perr := Parse(stdout)
	switch exitCode {
	case 0:
		if perr == nil {
			for _, p := range projects {
				if p.Error != "" {
					return Outcome{Reason: "snyk exited 0 but reported an error: " + firstLine(p.Error)}
				}
			}
			n := 0
			for _, p := range projects {
				n += p.DependencyCount
			}
			return Outcome{Passed: true, Reason: fmt.Sprintf("no high-or-higher vulnerabilities (%d project(s), %d dependencies tested)", len(projects), n)}
		}
		return Outcome{Passed: true, Reason: "no high-or-higher vulnerabilities (snyk exited 0)"}
	case 1:
		if perr != nil {
			return Outcome{Reason: "snyk found vulnerabilities (exit 1), and its JSON could not be read: " + perr.Error()}
		}
		vs := collect(projects)
		return Outcome{
			Reason:  fmt.Sprintf("snyk found %d high-or-higher vulnerable path(s) in %s (exit 1)", len(vs), strings.Join(packages(vs), ", ")),
			Details: Table(vs),
		}
	case 2, 3:
		what := map[int]string{2: "snyk could not test the project (exit 2: failure, e.g. authentication or network)", 3: "snyk could not test the project (exit 3: no supported projects detected)"}[exitCode]
		msg := ""
		if perr == nil {
			for _, p := range projects {
				if p.Error != "" {
					msg = firstLine(p.Error)
					break
				}
			}
		}
		if msg != "" {
			what += ": " + msg
		}
		return Outcome{Reason: what}
	default:
		return Outcome{Reason: fmt.Sprintf("snyk exited with unexpected code %d; treating the scan as failed", exitCode)}
	}
}

type row struct {
	pkg, version, severity, title, id, fix string
}

func collect(ps []Project) []row {
	seen := map[string]bool{}
	var out []row
	for _, p := range ps {
		for _, v := range p.Vulnerabilities {
			key := v.ID + "\x00" + v.PackageName + "\x00" + v.Version
			if seen[key] {
				continue
			}
			seen[key] = true
			fix := "no fix available"
			switch {
			case v.IsUpgradable && len(v.FixedIn) > 0:
				fix = "upgrade to " + strings.Join(v.FixedIn, " or ")
			case v.IsUpgradable:
				fix = "upgrade (snyk wizard)"
			case v.IsPatchable:
				fix = "patch available"
			case len(v.FixedIn) > 0:
				fix = "fixed in " + strings.Join(v.FixedIn, ", ") + " (not reachable by upgrade)"
			}
			out = append(out, row{v.PackageName, v.Version, v.Severity, v.Title, v.ID, fix})
		}
	}
	rank := map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3}
	sort.SliceStable(out, func(i, j int) bool {
		ri, ok := rank[out[i].severity]
		if !ok {
			ri = -1
		}
		rj, ok := rank[out[j].severity]
		if !ok {
			rj = -1
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].pkg < out[j].pkg
	})
	return out
}

func packages(rs []row) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if !seen[r.pkg] {
			seen[r.pkg] = true
			out = append(out, r.pkg)
		}
	}
	if len(out) == 0 {
		return []string{"(no vulnerabilities listed)"}
	}
	return out
}

// Table renders the vulnerabilities of a run as an aligned table.
func Table(rs []row) string {
	header := []string{"package", "version", "severity", "title", "id", "fix"}
	cells := make([][]string, 0, len(rs))
	for _, r := range rs {
		cells = append(cells, []string{r.pkg, r.version, r.severity, r.title, r.id, r.fix})
	}
	return textable.Plain(header, cells)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return strings.TrimSpace(s)
}
