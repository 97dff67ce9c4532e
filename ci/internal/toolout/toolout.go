// Package toolout turns the output of the tools the pipeline runs (eslint,
// node's test runner) into short, file:line-shaped findings and summaries.
package toolout

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	stylishFile = regexp.MustCompile(`^(/\S.*|[A-Za-z]:\\.*|\S+\.(?:[cm]?[jt]sx?|json|md|ya?ml|html|css))$`)
	stylishMsg  = regexp.MustCompile(`^\s+(\d+):(\d+)\s+(error|warning)\s+(.*?)\s*$`)
	ruleSep     = regexp.MustCompile(`\s{2,}`)
)

// ESLintStylish converts eslint's default ("stylish") output into
// "path:line:col: severity message" lines. prefix (e.g. "/src/") is trimmed
// from paths. It returns nil when no finding could be recognised.
func ESLintStylish(out, prefix string) []string {
	var findings []string
	file := ""
	for _, raw := range strings.Split(out, "\n") {
		line := strings.TrimRight(raw, "\r")
		if stylishFile.MatchString(line) {
			file = strings.TrimPrefix(line, prefix)
			continue
		}
		if m := stylishMsg.FindStringSubmatch(line); m != nil && file != "" {
			// eslint separates the message from the rule id with two or more spaces.
			msg := m[4]
			if parts := ruleSep.Split(msg, -1); len(parts) > 1 {
				msg = strings.Join(parts[:len(parts)-1], " ") + " [" + parts[len(parts)-1] + "]"
			}
			findings = append(findings, fmt.Sprintf("%s:%s:%s: %s %s", file, m[1], m[2], m[3], msg))
		}
	}
	return findings
}

// NodeTestCounts holds the totals node's test runner prints at the end
// ("ℹ tests 12" with the spec reporter, "# tests 12" with TAP).
type NodeTestCounts struct {
	Tests, Pass, Fail, Cancelled, Skipped, Todo int
	Found                                       bool
}

var nodeCount = regexp.MustCompile(`(?m)^(?:ℹ|#) (tests|pass|fail|cancelled|skipped|todo) (\d+)\s*$`)

// NodeTestSummary reads the totals from node --test output. The last
// occurrence of each counter wins (the run's totals come last).
func NodeTestSummary(out string) NodeTestCounts {
	var c NodeTestCounts
	for _, m := range nodeCount.FindAllStringSubmatch(out, -1) {
		n, err := strconv.Atoi(m[2])
		if err != nil {
			continue
		}
		c.Found = true
		switch m[1] {
		case "tests":
			c.Tests = n
		case "pass":
			c.Pass = n
		case "fail":
			c.Fail = n
		case "cancelled":
			c.Cancelled = n
		case "skipped":
			c.Skipped = n
		case "todo":
			c.Todo = n
		}
	}
	return c
}

// String renders the counts, e.g. "42 tests: 41 passed, 1 failed".
func (c NodeTestCounts) String() string {
	s := fmt.Sprintf("%d tests: %d passed, %d failed", c.Tests, c.Pass, c.Fail)
	if c.Cancelled > 0 {
		s += fmt.Sprintf(", %d cancelled", c.Cancelled)
	}
	if c.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return s
}

var (
	failingSection = regexp.MustCompile(`(?m)^✖ failing tests:\s*$`)
	tapNotOK       = regexp.MustCompile(`^(\s*)not ok \d+ - `)
)

// NodeTestFailures returns the failures of a node --test run: the
// "✖ failing tests:" section the spec reporter prints at the end, or, for
// the TAP reporter (used when stdout is not a terminal, as in CI), every
// "not ok" entry with its YAML diagnostics. "" when there is none.
func NodeTestFailures(out string) string {
	if loc := failingSection.FindStringIndex(out); loc != nil {
		return strings.TrimSpace(out[loc[0]:])
	}
	var blocks []string
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); i++ {
		m := tapNotOK.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent := m[1]
		block := []string{strings.TrimPrefix(lines[i], indent)}
		// The diagnostics block runs from "  ---" to "  ..." at the same indent + 2.
		if i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "---" {
			for j := i + 1; j < len(lines); j++ {
				block = append(block, strings.TrimPrefix(lines[j], indent))
				if strings.TrimSpace(lines[j]) == "..." {
					i = j
					break
				}
			}
		}
		blocks = append(blocks, strings.Join(block, "\n"))
	}
	return strings.Join(blocks, "\n")
}

// Tail keeps the last n lines of s, noting how many were dropped.
func Tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return fmt.Sprintf("[... %d earlier lines omitted ...]\n%s", len(lines)-n, strings.Join(lines[len(lines)-n:], "\n"))
}

// Head keeps the first n lines of s, noting how many were dropped.
func Head(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return fmt.Sprintf("%s\n[... %d more lines omitted ...]", strings.Join(lines[:n], "\n"), len(lines)-n)
}

// Indent prefixes every non-empty line of s.
func Indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
