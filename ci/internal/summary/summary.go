// Package summary turns the results of the pipeline's stages into one
// report: a plain-text table for a terminal, Markdown for a GitHub step
// summary, and JSON (report.json) for programs such as cmd/gha-ci.
package summary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"dagger/connector-ci/internal/textable"
)

// Status is a stage's result.
type Status string

// The three results a stage can have.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Stage is the result of one stage.
type Stage struct {
	Name     string        `json:"stage"`
	Status   Status        `json:"result"`
	Duration time.Duration `json:"-"`
	// Reason is the stage's full message: why it failed or was skipped, or
	// what it checked when it passed. Its first line goes in the table.
	Reason string `json:"reason"`
}

type stageJSON struct {
	Name            string  `json:"stage"`
	Status          Status  `json:"result"`
	DurationSeconds float64 `json:"durationSeconds"`
	Reason          string  `json:"reason"`
}

// MarshalJSON writes the duration in seconds.
func (s Stage) MarshalJSON() ([]byte, error) {
	return json.Marshal(stageJSON{s.Name, s.Status, s.Duration.Seconds(), s.Reason})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Stage) UnmarshalJSON(b []byte) error {
	var j stageJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Stage{Name: j.Name, Status: j.Status, Duration: time.Duration(j.DurationSeconds * float64(time.Second)), Reason: j.Reason}
	return nil
}

// FirstLine is the first non-empty line of s.
func (s Stage) FirstLine() string { return FirstLine(s.Reason) }

// Report is the result of a pipeline run.
type Report struct {
	Stages []Stage `json:"stages"`
	// Passed is true when no stage failed (skips do not fail a run).
	Passed bool `json:"passed"`
}

// New builds a report from stage results, in the order given.
func New(stages ...Stage) *Report {
	r := &Report{Stages: stages, Passed: true}
	for _, s := range stages {
		if s.Status != Pass && s.Status != Skip {
			r.Passed = false
		}
	}
	return r
}

// Failed lists the stages that failed (any status other than PASS or SKIP
// counts as failed, so that a corrupt status cannot pass).
func (r *Report) Failed() []Stage {
	var out []Stage
	for _, s := range r.Stages {
		if s.Status != Pass && s.Status != Skip {
			out = append(out, s)
		}
	}
	return out
}

var header = []string{"stage", "result", "duration", "reason"}

func (r *Report) rows() [][]string {
	rows := make([][]string, 0, len(r.Stages))
	for _, s := range r.Stages {
		rows = append(rows, []string{s.Name, string(s.Status), FormatDuration(s.Duration), clip(s.FirstLine(), maxReason)})
	}
	return rows
}

// Verdict is the one-line outcome.
func (r *Report) Verdict() string {
	failed := r.Failed()
	if len(failed) == 0 {
		skipped := 0
		for _, s := range r.Stages {
			if s.Status == Skip {
				skipped++
			}
		}
		if skipped > 0 {
			return fmt.Sprintf("CI PASSED (%d stage(s), %d skipped)", len(r.Stages), skipped)
		}
		return fmt.Sprintf("CI PASSED (%d stage(s))", len(r.Stages))
	}
	names := make([]string, 0, len(failed))
	for _, s := range failed {
		names = append(names, s.Name)
	}
	return fmt.Sprintf("CI FAILED: %d of %d stage(s) failed: %s", len(failed), len(r.Stages), strings.Join(names, ", "))
}

// Text renders the table for a terminal, then the full reason of every
// failed stage.
func (r *Report) Text() string {
	var b strings.Builder
	b.WriteString(textable.Plain(header, r.rows()))
	b.WriteString("\n")
	b.WriteString(r.Verdict())
	b.WriteString("\n")
	for _, s := range r.Failed() {
		if strings.TrimSpace(s.Reason) == s.FirstLine() && len([]rune(s.FirstLine())) <= maxReason {
			continue
		}
		fmt.Fprintf(&b, "\n--- %s: %s ---\n%s\n", s.Name, s.Status, strings.TrimRight(s.Reason, "\n"))
	}
	return b.String()
}

// Markdown renders the report for a GitHub step summary: a heading with the
// verdict, the table, and each failed stage's full reason in a collapsed
// block.
func (r *Report) Markdown() string {
	var b strings.Builder
	icon := "✅"
	if !r.Passed {
		icon = "❌"
	}
	fmt.Fprintf(&b, "## %s %s\n\n", icon, r.Verdict())
	b.WriteString(textable.Markdown(header, r.rows()))
	for _, s := range r.Failed() {
		fmt.Fprintf(&b, "\n<details><summary>%s: %s</summary>\n\n```text\n%s\n```\n\n</details>\n",
			s.Name, htmlEscape(s.FirstLine()), strings.ReplaceAll(strings.TrimRight(s.Reason, "\n"), "```", "` ` `"))
	}
	return b.String()
}

// JSON encodes the report (report.json).
func (r *Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return append(b, '\n'), nil
}

// Parse decodes report.json, re-deriving Passed from the stages so that a
// hand-edited or truncated file cannot claim success.
func Parse(data []byte) (*Report, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	if len(r.Stages) == 0 {
		return nil, fmt.Errorf("decode report: no stages in the report")
	}
	claimed := r.Passed
	derived := New(r.Stages...)
	if claimed && !derived.Passed {
		return nil, fmt.Errorf("decode report: it claims to have passed but stage(s) failed")
	}
	return derived, nil
}

// maxReason bounds the reason column of the table; the full reason follows
// the table for failed stages.
const maxReason = 160

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// FirstLine returns the first non-empty line of s, trimmed.
func FirstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

// FormatDuration renders a duration compactly: 850ms, 12.3s, 2m05s.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		m := int(d / time.Minute)
		s := int((d % time.Minute) / time.Second)
		return fmt.Sprintf("%dm%02ds", m, s)
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
