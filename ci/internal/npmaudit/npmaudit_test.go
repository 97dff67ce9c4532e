package npmaudit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

var today = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestCleanReportPasses(t *testing.T) {
	r, err := Parse(load(t, "clean.json"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	res, err := Evaluate(r, SeverityHigh, nil)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if !res.Passed() {
		t.Fatalf("clean report did not pass: %+v", res.Blocking)
	}
	if !strings.Contains(res.Summary(), "critical 0, high 0") {
		t.Errorf("summary lacks counts: %q", res.Summary())
	}
}

func TestHighReportFindsAdvisoriesBehindTransitivePackages(t *testing.T) {
	r, err := Parse(load(t, "high.json"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	res, err := Evaluate(r, SeverityHigh, nil)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if res.Passed() {
		t.Fatal("report with high advisories passed")
	}
	var got []string
	for _, f := range res.Blocking {
		got = append(got, f.Package+" "+f.ID)
	}
	want := []string{"body-parser GHSA-qwcr-r2fm-qrc7", "path-to-regexp GHSA-9wv6-86v2-598j"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("blocking = %v, want %v (low/moderate advisories such as express's XSS must not block)", got, want)
	}
	sum := res.Summary()
	for _, s := range []string{"2 unaccepted high-or-higher advisories", "body-parser, path-to-regexp", "https://github.com/advisories/GHSA-9wv6-86v2-598j", "npm audit fix", "package         severity  title"} {
		if !strings.Contains(sum, s) {
			t.Errorf("summary lacks %q:\n%s", s, sum)
		}
	}
}

func TestThresholdModerateIncludesModerate(t *testing.T) {
	r, err := Parse(load(t, "high.json"))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := r.Findings(SeverityModerate)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 || fs[2].Package != "micromatch" {
		t.Fatalf("findings at moderate = %+v", fs)
	}
}

func TestCriticalWithSemverMajorFix(t *testing.T) {
	r, err := Parse(load(t, "critical-semver-major.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(r, SeverityHigh, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Blocking) != 1 {
		t.Fatalf("want the minimist advisory once (mkdirp only inherits it), got %+v", res.Blocking)
	}
	f := res.Blocking[0]
	if f.Package != "minimist" || f.Severity != SeverityCritical || f.Fix != "mkdirp@3.0.1 (semver-major: npm audit fix --force)" {
		t.Fatalf("finding = %+v", f)
	}
}

func TestAcceptedRiskCoversFinding(t *testing.T) {
	r, err := Parse(load(t, "critical-semver-major.json"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ParseAccepted([]byte(`{"accepted":[
		{"id":"https://github.com/advisories/GHSA-xvch-5gv4-984h","reason":"build-time only","expires":"2025-06-01"},
		{"id":"GHSA-aaaa-bbbb-cccc","reason":"stale","expires":"2030-01-01"}]}`), AcceptedFile, today)
	if err != nil {
		t.Fatalf("ParseAccepted: %v", err)
	}
	res, err := Evaluate(r, SeverityHigh, acc)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() || len(res.Accepted) != 1 {
		t.Fatalf("accepted risk not applied: blocking=%+v accepted=%+v", res.Blocking, res.Accepted)
	}
	if len(res.Unused) != 1 || res.Unused[0].ID != "GHSA-aaaa-bbbb-cccc" {
		t.Fatalf("unused = %+v", res.Unused)
	}
	if !strings.Contains(res.Summary(), "matches nothing any more") {
		t.Errorf("summary does not mention the stale entry: %s", res.Summary())
	}
}

func TestAcceptedRiskByNumericIDAndPackage(t *testing.T) {
	r, err := Parse(load(t, "high.json"))
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ParseAccepted([]byte(`{"accepted":[
		{"id":"1101850","package":"path-to-regexp","reason":"r","expires":"2026-01-01"},
		{"id":"GHSA-QWCR-R2FM-QRC7","package":"not-body-parser","reason":"r","expires":"2026-01-01"}]}`), AcceptedFile, today)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(r, SeverityHigh, acc)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Blocking) != 1 || res.Blocking[0].Package != "body-parser" {
		t.Fatalf("package-restricted entry must not cover body-parser: blocking=%+v", res.Blocking)
	}
	if len(res.Accepted) != 1 || res.Accepted[0].Package != "path-to-regexp" {
		t.Fatalf("numeric id not matched: accepted=%+v", res.Accepted)
	}
}

func TestAcceptedFileValidation(t *testing.T) {
	cases := []struct {
		name, data string
		want       []string
	}{
		{"expired", `{"accepted":[{"id":"GHSA-xvch-5gv4-984h","reason":"r","expires":"2025-05-31"}]}`,
			[]string{"accepted[0] (GHSA-xvch-5gv4-984h): expired on 2025-05-31", "renew"}},
		{"no reason", `{"accepted":[{"id":"GHSA-xvch-5gv4-984h","reason":" ","expires":"2026-01-01"}]}`,
			[]string{`"reason" is empty`}},
		{"bad date", `{"accepted":[{"id":"GHSA-xvch-5gv4-984h","reason":"r","expires":"31/12/2026"}]}`,
			[]string{`"expires" "31/12/2026" is not a date`}},
		{"bad id", `{"accepted":[{"id":"CVE-2021-44906","reason":"r","expires":"2026-01-01"}]}`,
			[]string{`"id" "CVE-2021-44906" is not a GHSA id`}},
		{"typo field", `{"accepted":[{"id":"GHSA-xvch-5gv4-984h","reason":"r","expiry":"2026-01-01"}]}`,
			[]string{`unknown field "expiry"`}},
		{"two problems", `{"accepted":[{"id":"","reason":"","expires":"2026-01-01"}]}`,
			[]string{`"id" is empty`, `"reason" is empty`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseAccepted([]byte(c.data), ".audit-accepted.json", today)
			if err == nil {
				t.Fatal("invalid file accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), ".audit-accepted.json") {
				t.Errorf("error does not name the file: %q", err)
			}
		})
	}
}

func TestEndpointErrorFailsClosed(t *testing.T) {
	_, err := Parse(load(t, "error-405.json"))
	var ae *AuditError
	if !errors.As(err, &ae) {
		t.Fatalf("want *AuditError, got %v", err)
	}
	// testdata/error-405.json is npm 10.9.9's real stdout for a registry
	// that refuses the audit endpoints with 405.
	for _, s := range []string{"could not audit", "the registry answered HTTP 405 to POST https://registry.npmjs.org/-/npm/v1/security/audits/quick", "npm: 405 Method Not Allowed", "--registry"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
}

func TestErrorObjectsAndGarbageFailClosed(t *testing.T) {
	for name, want := range map[string]string{
		"error-enolock.json": "ENOLOCK: This command requires an existing lockfile.",
		"npm6.json":          "npm 6 format",
		"not-json.txt":       "other than a JSON object: npm error code ENOTFOUND",
	} {
		_, err := Parse(load(t, name))
		var ae *AuditError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want *AuditError containing %q", name, err, want)
		}
	}
	for _, in := range []string{"", "   ", `{"auditReportVersion":2}`, `{"auditReportVersion":3,"vulnerabilities":{}}`, `{"auditReportVersion":2,"vulnerabilities":{`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded; must fail closed", in)
		}
	}
}

func TestErrorRedactsCredentials(t *testing.T) {
	_, err := Parse([]byte(`{"message":"401 Unauthorized - POST https://bob:s3cr3t@mirror.example/-/npm/v1/security/advisories/bulk?token=abc","method":"POST","uri":"https://bob:s3cr3t@mirror.example/-/npm/v1/security/advisories/bulk?token=abc","statusCode":401}`))
	if err == nil {
		t.Fatal("want error")
	}
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "bob") {
		t.Fatalf("credentials leaked: %q", err)
	}
	if !strings.Contains(err.Error(), "HTTP 401 to POST https://mirror.example/-/npm/v1/security/advisories/bulk") ||
		!strings.Contains(err.Error(), "npm: 401 Unauthorized - POST https://mirror.example/-/npm/v1/security/advisories/bulk") {
		t.Fatalf("unexpected message %q", err)
	}
}

func TestUnresolvableSeverityFailsClosed(t *testing.T) {
	r, err := Parse([]byte(`{"auditReportVersion":2,"vulnerabilities":{"x":{"name":"x","severity":"high","via":["y"],"fixAvailable":false}},"metadata":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(r, SeverityHigh, nil); err == nil || !strings.Contains(err.Error(), `package "x" is reported high`) {
		t.Fatalf("got %v", err)
	}
}

func TestUnknownSeverityRanksAboveCritical(t *testing.T) {
	if Severity("catastrophic").Rank() <= SeverityCritical.Rank() {
		t.Fatal("unknown severities must never fall under a threshold")
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Fatal("ParseSeverity accepted an unknown severity")
	}
}

// testdata/real-npm10-standin-high.json is npm 10.9.9's real stdout for this
// repository's lockfile against a stand-in registry whose bulk advisory
// endpoint reports one high advisory for tdigest.
func TestRealNPM10Report(t *testing.T) {
	r, err := Parse(load(t, "real-npm10-standin-high.json"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(r, SeverityHigh, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Blocking) != 1 || res.Blocking[0].Package != "tdigest" || res.Blocking[0].ID != "GHSA-abcd-efgh-ijkl" || res.Blocking[0].Fix != "no fix available" {
		t.Fatalf("blocking = %+v", res.Blocking)
	}
	if CountsLine(res.Counts) != "critical 0, high 2, moderate 0, low 0, info 0 (total 2)" {
		t.Fatalf("counts = %q", CountsLine(res.Counts))
	}
}
