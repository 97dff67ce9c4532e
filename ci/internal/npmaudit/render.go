package npmaudit

import (
	"fmt"
	"sort"
	"strings"

	"dagger/connector-ci/internal/textable"
)

var tableHeader = []string{"package", "severity", "title", "url", "fix"}

func rows(fs []Finding) [][]string {
	out := make([][]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, []string{f.Package, string(f.Severity), f.Title, f.URL, f.Fix})
	}
	return out
}

// Table renders findings as an aligned plain-text table.
func Table(fs []Finding) string { return textable.Plain(tableHeader, rows(fs)) }

// MarkdownTable renders findings as a Markdown table.
func MarkdownTable(fs []Finding) string { return textable.Markdown(tableHeader, rows(fs)) }

// CountsLine renders npm's counts, e.g. "critical 1, high 2, moderate 0, low 0, info 0 (total 3)".
func CountsLine(c map[string]int) string {
	if len(c) == 0 {
		return "no counts in the report"
	}
	order := []string{"critical", "high", "moderate", "low", "info"}
	var parts []string
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%s %d", k, c[k]))
	}
	var extra []string
	for k := range c {
		if k != "total" && !containsStr(order, k) {
			extra = append(extra, fmt.Sprintf("%s %d", k, c[k]))
		}
	}
	sort.Strings(extra)
	parts = append(parts, extra...)
	return fmt.Sprintf("%s (total %d)", strings.Join(parts, ", "), c["total"])
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Summary is the human-readable outcome: a first line suitable for a
// summary table, then the details.
func (r *Result) Summary() string {
	var b strings.Builder
	if r.Passed() {
		fmt.Fprintf(&b, "no unaccepted %s-or-higher advisories in production dependencies; npm counts: %s\n", r.Threshold, CountsLine(r.Counts))
	} else {
		pkgs := map[string]bool{}
		var names []string
		for _, f := range r.Blocking {
			if !pkgs[f.Package] {
				pkgs[f.Package] = true
				names = append(names, f.Package)
			}
		}
		fmt.Fprintf(&b, "%d unaccepted %s-or-higher advisor%s in production dependencies (%s)\n",
			len(r.Blocking), r.Threshold, plural(len(r.Blocking), "y", "ies"), strings.Join(names, ", "))
		b.WriteString("\n")
		b.WriteString(Table(r.Blocking))
		b.WriteString("\nFix: upgrade the packages (see the fix column), or — only when the risk is understood — add an entry with id, reason and expires to " + AcceptedFile + ".\n")
	}
	if len(r.Accepted) > 0 {
		b.WriteString("\nAccepted risks in effect:\n")
		for _, f := range r.Accepted {
			fmt.Fprintf(&b, "  %s %s (%s) until %s: %s\n", f.Package, f.ID, f.Severity, f.Accepted.Expires, f.Accepted.Reason)
		}
	}
	for _, u := range r.Unused {
		fmt.Fprintf(&b, "\nnote: accepted risk %s in %s matches nothing any more; remove it\n", u.ID, AcceptedFile)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
