package npmaudit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// AcceptedFile is the conventional name of the committed accepted-risks file.
const AcceptedFile = ".audit-accepted.json"

// AcceptedRisks is the decoded accepted-risks file:
//
//	{
//	  "accepted": [
//	    {
//	      "id": "GHSA-xvch-5gv4-984h",
//	      "package": "minimist",
//	      "reason": "only reachable from build tooling; upgrade tracked in #123",
//	      "expires": "2026-03-31"
//	    }
//	  ]
//	}
//
// "id" is a GHSA id, an advisory URL, or npm's numeric advisory id (the
// "source" field of the report). "package" is optional and narrows the entry
// to one package. "expires" is a date (YYYY-MM-DD, UTC) after which the entry
// no longer applies and the audit fails until it is renewed or removed.
type AcceptedRisks struct {
	Accepted []AcceptedRisk `json:"accepted"`
}

// AcceptedRisk is one entry of the accepted-risks file.
type AcceptedRisk struct {
	ID      string `json:"id"`
	Package string `json:"package,omitempty"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`

	expires time.Time
	key     string
}

// ExpiresAt is the parsed expiry date.
func (a AcceptedRisk) ExpiresAt() time.Time { return a.expires }

var ghsaRe = regexp.MustCompile(`(?i)^GHSA(-[0-9a-z]{4}){3}$`)

// normalizeID turns an accepted id into the same form as Advisory.Key.
func normalizeID(id string) (string, error) {
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return "", errors.New(`"id" is empty`)
	case ghsaRe.MatchString(id):
		return "GHSA" + strings.ToLower(id[4:]), nil
	case strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://"):
		a := Advisory{URL: id}
		if g := a.GHSA(); g != "" {
			return "GHSA" + strings.ToLower(g[4:]), nil
		}
		return id, nil
	default:
		if n, err := strconv.Atoi(id); err == nil && n > 0 {
			return id, nil
		}
	}
	return "", fmt.Errorf(`"id" %q is not a GHSA id (GHSA-xxxx-xxxx-xxxx), an advisory URL, or a numeric npm advisory id`, id)
}

// ParseAccepted decodes and validates an accepted-risks file. name is the
// file's path, used in messages. Every problem is reported (not only the
// first), and an entry whose expiry date is before today (UTC) is an error.
func ParseAccepted(data []byte, name string, today time.Time) (*AcceptedRisks, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f AcceptedRisks
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: not a valid accepted-risks file (%v); expected {\"accepted\": [{\"id\": \"GHSA-...\", \"reason\": \"...\", \"expires\": \"YYYY-MM-DD\"}]}", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: unexpected data after the JSON object", name)
	}
	day := time.Date(today.UTC().Year(), today.UTC().Month(), today.UTC().Day(), 0, 0, 0, 0, time.UTC)
	var problems []string
	for i := range f.Accepted {
		e := &f.Accepted[i]
		where := fmt.Sprintf("%s: accepted[%d]", name, i)
		if e.ID != "" {
			where += fmt.Sprintf(" (%s)", e.ID)
		}
		key, err := normalizeID(e.ID)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
		}
		e.key = key
		if strings.TrimSpace(e.Reason) == "" {
			problems = append(problems, fmt.Sprintf(`%s: "reason" is empty; say why the risk is accepted and where the fix is tracked`, where))
		}
		exp, err := time.Parse("2006-01-02", strings.TrimSpace(e.Expires))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf(`%s: "expires" %q is not a date in the form YYYY-MM-DD`, where, e.Expires))
		case exp.Before(day):
			problems = append(problems, fmt.Sprintf(`%s: expired on %s; fix the vulnerability, or renew the entry with a new "expires" date and reason`, where, exp.Format("2006-01-02")))
		}
		e.expires = exp
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return &f, nil
}

// match reports whether the entry covers the finding.
func (a *AcceptedRisk) match(f Finding, source int) bool {
	if a.Package != "" && a.Package != f.Package {
		return false
	}
	switch {
	case strings.HasPrefix(a.key, "GHSA"):
		return strings.EqualFold(a.key, f.ID)
	case strings.HasPrefix(a.key, "http"):
		return strings.TrimRight(a.key, "/") == strings.TrimRight(f.URL, "/")
	default:
		return a.key == strconv.Itoa(source)
	}
}

// Result is the outcome of gating a report.
type Result struct {
	Threshold Severity
	// Blocking findings fail the audit.
	Blocking []Finding
	// Accepted findings are covered by an accepted risk.
	Accepted []Finding
	// Unused accepted risks matched nothing in this report (stale entries).
	Unused []AcceptedRisk
	// Counts are npm's per-severity counts of vulnerable packages.
	Counts map[string]int
}

// Passed reports whether nothing blocks.
func (r *Result) Passed() bool { return len(r.Blocking) == 0 }

// Evaluate applies the threshold and the accepted risks (which may be nil).
func Evaluate(r *Report, threshold Severity, risks *AcceptedRisks) (*Result, error) {
	findings, err := r.Findings(threshold)
	if err != nil {
		return nil, err
	}
	sources := map[string]int{}
	for _, v := range r.Vulnerabilities {
		for _, via := range v.Via {
			if via.Advisory != nil {
				sources[via.Advisory.Key()] = via.Advisory.Source
			}
		}
	}
	res := &Result{Threshold: threshold, Counts: r.Counts()}
	var entries []AcceptedRisk
	if risks != nil {
		entries = risks.Accepted
	}
	used := make([]bool, len(entries))
	for _, f := range findings {
		for i := range entries {
			if entries[i].match(f, sources[f.ID]) {
				used[i] = true
				e := entries[i]
				f.Accepted = &e
				break
			}
		}
		if f.Accepted != nil {
			res.Accepted = append(res.Accepted, f)
		} else {
			res.Blocking = append(res.Blocking, f)
		}
	}
	for i, u := range used {
		if !u {
			res.Unused = append(res.Unused, entries[i])
		}
	}
	return res, nil
}
