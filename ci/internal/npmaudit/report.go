// Package npmaudit parses the JSON that `npm audit --json` prints (report
// format version 2, npm 7 and later, including npm 10 and 11), applies a
// severity threshold and a file of accepted risks, and renders the findings
// as a table.
//
// It fails closed: anything that is not a version-2 audit report — npm's
// error object when the advisory endpoint could not be reached, a report in
// the old npm 6 format, truncated or non-JSON output — is an error, never an
// empty (passing) report.
package npmaudit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Severity is an npm advisory severity.
type Severity string

// The severities npm reports, lowest first.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityModerate Severity = "moderate"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities; unknown severities rank highest so that a new or
// misspelled severity can never slip under a threshold.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityLow:
		return 1
	case SeverityModerate:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	default:
		return 5
	}
}

// ParseSeverity validates a threshold given by a user (e.g. "high").
func ParseSeverity(s string) (Severity, error) {
	switch sev := Severity(strings.ToLower(strings.TrimSpace(s))); sev {
	case SeverityInfo, SeverityLow, SeverityModerate, SeverityHigh, SeverityCritical:
		return sev, nil
	}
	return "", fmt.Errorf("unknown severity %q: use one of info, low, moderate, high, critical", s)
}

// Report is the part of npm's version-2 audit report that the gate needs.
type Report struct {
	AuditReportVersion int                       `json:"auditReportVersion"`
	Vulnerabilities    map[string]*Vulnerability `json:"vulnerabilities"`
	Metadata           Metadata                  `json:"metadata"`
}

// Metadata holds npm's per-severity counts of vulnerable packages.
type Metadata struct {
	Vulnerabilities map[string]int `json:"vulnerabilities"`
	Dependencies    map[string]int `json:"dependencies"`
}

// Vulnerability is one vulnerable package in the report.
type Vulnerability struct {
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	IsDirect bool     `json:"isDirect"`
	// Via holds either advisories (objects) or names of other vulnerable
	// packages through which this one is affected (strings).
	Via          []Via        `json:"via"`
	Effects      []string     `json:"effects"`
	Range        string       `json:"range"`
	Nodes        []string     `json:"nodes"`
	FixAvailable FixAvailable `json:"fixAvailable"`
}

// Via is one element of a vulnerability's "via" list: an advisory, or the
// name of another vulnerable package.
type Via struct {
	Package  string    // set when the element is a string
	Advisory *Advisory // set when the element is an object
}

// UnmarshalJSON accepts both shapes npm writes.
func (v *Via) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &v.Package)
	}
	var a Advisory
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("via entry is neither a package name nor an advisory: %w", err)
	}
	v.Advisory = &a
	return nil
}

// Advisory is a security advisory npm matched against a package.
type Advisory struct {
	Source     int      `json:"source"`
	Name       string   `json:"name"`
	Dependency string   `json:"dependency"`
	Title      string   `json:"title"`
	URL        string   `json:"url"`
	Severity   Severity `json:"severity"`
	Range      string   `json:"range"`
}

// GHSA returns the GitHub advisory id from the advisory URL, or "".
func (a *Advisory) GHSA() string {
	i := strings.LastIndex(a.URL, "/")
	if i < 0 {
		return ""
	}
	last := a.URL[i+1:]
	if strings.HasPrefix(strings.ToUpper(last), "GHSA-") {
		return strings.ToUpper(last[:4]) + last[4:]
	}
	return ""
}

// Key identifies an advisory: its GHSA id, else its URL, else its npm id.
func (a *Advisory) Key() string {
	if g := a.GHSA(); g != "" {
		return g
	}
	if a.URL != "" {
		return a.URL
	}
	return strconv.Itoa(a.Source)
}

// FixAvailable is npm's fixAvailable: false, true, or an object naming the
// package and version `npm audit fix` would install.
type FixAvailable struct {
	Available     bool
	Name          string
	Version       string
	IsSemVerMajor bool
}

// UnmarshalJSON accepts a boolean or an object.
func (f *FixAvailable) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "true":
		f.Available = true
		return nil
	case "false", "null":
		return nil
	}
	var o struct {
		Name          string `json:"name"`
		Version       string `json:"version"`
		IsSemVerMajor bool   `json:"isSemVerMajor"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("fixAvailable is neither a boolean nor an object: %w", err)
	}
	*f = FixAvailable{Available: true, Name: o.Name, Version: o.Version, IsSemVerMajor: o.IsSemVerMajor}
	return nil
}

// String describes the fix for a table cell.
func (f FixAvailable) String() string {
	switch {
	case !f.Available:
		return "no fix available"
	case f.Name == "":
		return "npm audit fix"
	case f.IsSemVerMajor:
		return fmt.Sprintf("%s@%s (semver-major: npm audit fix --force)", f.Name, f.Version)
	default:
		return fmt.Sprintf("%s@%s (npm audit fix)", f.Name, f.Version)
	}
}

// AuditError is returned when npm could not audit: the output is npm's
// error object, or not an audit report at all. The gate must fail on it.
type AuditError struct {
	Reason string
}

func (e *AuditError) Error() string {
	reason, detail, _ := strings.Cut(e.Reason, "; ")
	msg := "npm could not audit the dependencies: " + reason
	if detail != "" {
		msg += "\n" + detail
	}
	return msg + "\nThe audit cannot pass without a report. Fix: make sure the registry serves npm's bulk advisory " +
		"endpoint (POST /-/npm/v1/security/advisories/bulk), or point the stage at one that does with --registry"
}

// npmError is the object npm prints with --json when the audit endpoint
// failed (lib/utils/audit-error.js), merged in npm 10+ with the generic
// {"error": {...}} object of its exit handler.
type npmError struct {
	Message    string          `json:"message"`
	Method     string          `json:"method"`
	URI        string          `json:"uri"`
	StatusCode int             `json:"statusCode"`
	Body       json.RawMessage `json:"body"`
	Error      *struct {
		Code    any    `json:"code"`
		Summary string `json:"summary"`
		Detail  string `json:"detail"`
	} `json:"error"`
}

// Parse decodes npm audit's stdout. It returns *AuditError when the output
// is not a usable version-2 report.
func Parse(stdout []byte) (*Report, error) {
	trimmed := bytes.TrimSpace(stdout)
	if len(trimmed) == 0 {
		return nil, &AuditError{Reason: "npm printed nothing on stdout"}
	}
	if trimmed[0] != '{' {
		return nil, &AuditError{Reason: "npm printed something other than a JSON object: " + firstLine(string(trimmed), 200)}
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return nil, &AuditError{Reason: "npm's output is not valid JSON (" + err.Error() + ")"}
	}
	if _, isErr := probe["error"]; isErr {
		return nil, describeNPMError(trimmed)
	}
	if _, isErr := probe["statusCode"]; isErr {
		return nil, describeNPMError(trimmed)
	}
	if _, old := probe["advisories"]; old {
		return nil, &AuditError{Reason: "npm printed an audit report in the npm 6 format (\"advisories\"); use npm 7 or later, which prints auditReportVersion 2"}
	}
	var r Report
	if err := json.Unmarshal(trimmed, &r); err != nil {
		return nil, &AuditError{Reason: "npm's audit report could not be decoded: " + err.Error()}
	}
	if r.AuditReportVersion != 2 {
		return nil, &AuditError{Reason: fmt.Sprintf("unsupported auditReportVersion %d (want 2)", r.AuditReportVersion)}
	}
	if r.Vulnerabilities == nil {
		return nil, &AuditError{Reason: "the audit report has no \"vulnerabilities\" object"}
	}
	for name, v := range r.Vulnerabilities {
		if v == nil {
			return nil, &AuditError{Reason: fmt.Sprintf("the audit report's entry for %q is null", name)}
		}
		if v.Name == "" {
			v.Name = name
		}
	}
	return &r, nil
}

func describeNPMError(b []byte) error {
	var e npmError
	if err := json.Unmarshal(b, &e); err != nil {
		return &AuditError{Reason: "npm printed an error object that could not be decoded: " + err.Error()}
	}
	var parts []string
	if e.StatusCode != 0 {
		req := strings.TrimSpace(e.Method + " " + redactURL(e.URI))
		if req != "" {
			parts = append(parts, fmt.Sprintf("the registry answered HTTP %d to %s", e.StatusCode, req))
		} else {
			parts = append(parts, fmt.Sprintf("the registry answered HTTP %d", e.StatusCode))
		}
	}
	if msg := redactURLsIn(firstLine(e.Message, 300)); msg != "" {
		parts = append(parts, "npm: "+msg)
	}
	if e.Error != nil {
		s := e.Error.Summary
		if e.Error.Code != nil && fmt.Sprint(e.Error.Code) != "" {
			s = fmt.Sprintf("%v: %s", e.Error.Code, s)
		}
		if s != "" && !contains(parts, e.Error.Summary) {
			parts = append(parts, s)
		}
		if d := firstLine(e.Error.Detail, 200); d != "" {
			parts = append(parts, d)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "npm reported an error without a message")
	}
	return &AuditError{Reason: strings.Join(parts, "; ")}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// redactURL removes credentials and query strings from a URL so that a
// registry token can never reach the output.
func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable URL>"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

var (
	urlUserinfo = regexp.MustCompile(`(https?://)[^/@\s]+@`)
	urlQuery    = regexp.MustCompile(`(https?://[^\s?]+)\?\S*`)
)

// redactURLsIn removes credentials and query strings from URLs in a message.
func redactURLsIn(s string) string {
	return urlQuery.ReplaceAllString(urlUserinfo.ReplaceAllString(s, "$1"), "$1")
}

func firstLine(s string, max int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// Finding is one advisory at or above the threshold, against one package.
type Finding struct {
	Package  string
	Severity Severity
	Title    string
	URL      string
	ID       string // GHSA id, else URL, else npm advisory number
	Fix      string
	Accepted *AcceptedRisk // non-nil when an accepted risk covers it
}

// Findings lists the advisories at or above threshold, sorted by severity
// (highest first) then package. A vulnerable package at or above threshold
// whose advisories cannot be found in the report is an error (fail closed).
func (r *Report) Findings(threshold Severity) ([]Finding, error) {
	seen := map[string]bool{}
	var out []Finding
	names := make([]string, 0, len(r.Vulnerabilities))
	for n := range r.Vulnerabilities {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		v := r.Vulnerabilities[name]
		if v.Severity.Rank() < threshold.Rank() {
			continue
		}
		advs := r.advisoriesOf(name, map[string]bool{})
		found := false
		for _, pa := range advs {
			a := pa.adv
			if a.Severity.Rank() < threshold.Rank() {
				continue
			}
			found = true
			pkg := pa.pkg
			key := pkg + "\x00" + a.Key()
			if seen[key] {
				continue
			}
			seen[key] = true
			fix := "no fix available"
			if pv := r.Vulnerabilities[pkg]; pv != nil {
				fix = pv.FixAvailable.String()
			}
			out = append(out, Finding{
				Package:  pkg,
				Severity: a.Severity,
				Title:    a.Title,
				URL:      a.URL,
				ID:       a.Key(),
				Fix:      fix,
			})
		}
		if !found {
			return nil, &AuditError{Reason: fmt.Sprintf("package %q is reported %s but none of its advisories at or above %s could be found in the report", name, v.Severity, threshold)}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity.Rank() != out[j].Severity.Rank() {
			return out[i].Severity.Rank() > out[j].Severity.Rank()
		}
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

type pkgAdvisory struct {
	pkg string
	adv *Advisory
}

// advisoriesOf follows "via" transitively to the advisories behind a package.
func (r *Report) advisoriesOf(name string, visiting map[string]bool) []pkgAdvisory {
	if visiting[name] {
		return nil
	}
	visiting[name] = true
	v := r.Vulnerabilities[name]
	if v == nil {
		return nil
	}
	var out []pkgAdvisory
	for _, via := range v.Via {
		switch {
		case via.Advisory != nil:
			pkg := via.Advisory.Name
			if pkg == "" {
				pkg = via.Advisory.Dependency
			}
			if pkg == "" {
				pkg = name
			}
			out = append(out, pkgAdvisory{pkg: pkg, adv: via.Advisory})
		case via.Package != "":
			out = append(out, r.advisoriesOf(via.Package, visiting)...)
		}
	}
	return out
}

// Counts returns npm's own per-severity counts of vulnerable packages.
func (r *Report) Counts() map[string]int {
	return r.Metadata.Vulnerabilities
}
