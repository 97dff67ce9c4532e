package summary

import (
	"strings"
	"testing"
	"time"
)

func sample() *Report {
	return New(
		Stage{Name: "lint", Status: Pass, Duration: 12300 * time.Millisecond, Reason: "eslint, shellcheck, actionlint: no findings"},
		Stage{Name: "audit", Status: Fail, Duration: 4 * time.Second, Reason: "npm could not audit the dependencies\nHTTP 405 | detail"},
		Stage{Name: "snyk", Status: Skip, Duration: 0, Reason: "no SNYK_TOKEN given (local run)"},
		Stage{Name: "build", Status: Pass, Duration: 125 * time.Second, Reason: "linux/amd64, linux/arm64 verified"},
	)
}

func TestText(t *testing.T) {
	r := sample()
	if r.Passed {
		t.Fatal("report with a failed stage passed")
	}
	txt := r.Text()
	for _, s := range []string{
		"stage  result  duration  reason\n-----  ------  --------  ----",
		"\nlint   PASS    12.3s     eslint, shellcheck, actionlint: no findings\n",
		"\naudit  FAIL    4.0s      npm could not audit the dependencies\n",
		"\nsnyk   SKIP    -         no SNYK_TOKEN given (local run)\n",
		"\nbuild  PASS    2m05s     linux/amd64, linux/arm64 verified\n",
		"CI FAILED: 1 of 4 stage(s) failed: audit",
		"--- audit: FAIL ---\nnpm could not audit the dependencies\nHTTP 405 | detail",
	} {
		if !strings.Contains(txt, s) {
			t.Errorf("text lacks %q:\n%s", s, txt)
		}
	}
}

func TestMarkdown(t *testing.T) {
	md := sample().Markdown()
	for _, s := range []string{
		"## ❌ CI FAILED",
		"| stage | result | duration | reason |\n| --- | --- | --- | --- |",
		"| audit | FAIL | 4.0s | npm could not audit the dependencies |",
		"<details><summary>audit: npm could not audit the dependencies</summary>",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestSkipDoesNotFail(t *testing.T) {
	r := New(Stage{Name: "snyk", Status: Skip}, Stage{Name: "lint", Status: Pass})
	if !r.Passed || len(r.Failed()) != 0 || !strings.Contains(r.Verdict(), "1 skipped") {
		t.Fatalf("got %+v %q", r, r.Verdict())
	}
}

func TestUnknownStatusFails(t *testing.T) {
	if New(Stage{Name: "x", Status: "pass"}).Passed {
		t.Fatal("unknown status passed")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	b, err := sample().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"durationSeconds": 12.3`) {
		t.Errorf("json: %s", b)
	}
	r, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Passed || len(r.Stages) != 4 || r.Stages[3].Duration != 125*time.Second {
		t.Fatalf("round trip: %+v", r)
	}
}

func TestParseRejectsLies(t *testing.T) {
	if _, err := Parse([]byte(`{"stages":[{"stage":"a","result":"FAIL"}],"passed":true}`)); err == nil {
		t.Fatal("a report claiming success with a failed stage was accepted")
	}
	if _, err := Parse([]byte(`{"stages":[],"passed":true}`)); err == nil {
		t.Fatal("an empty report was accepted")
	}
	if _, err := Parse([]byte(`{"stages":[{"stage":"a","res`)); err == nil {
		t.Fatal("truncated report accepted")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "-", 850 * time.Millisecond: "850ms", 61 * time.Second: "1m01s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v)=%q want %q", d, got, want)
		}
	}
}

func TestLongReasonIsClippedInTheTableButKept(t *testing.T) {
	long := strings.Repeat("x", 300)
	r := New(Stage{Name: "audit", Status: Fail, Reason: long})
	txt := r.Text()
	if !strings.Contains(txt, strings.Repeat("x", 159)+"…") {
		t.Fatalf("not clipped:\n%s", txt)
	}
	if !strings.Contains(txt, "--- audit: FAIL ---\n"+long) {
		t.Fatalf("full reason missing:\n%s", txt)
	}
}
