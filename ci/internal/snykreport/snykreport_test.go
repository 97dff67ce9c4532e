package snykreport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		code    int
		file    string
		passed  bool
		reason  []string
		details []string
	}{
		{0, "ok.json", true, []string{"no high-or-higher", "66 dependencies"}, nil},
		{1, "vulns.json", false, []string{"2 high-or-higher vulnerable path(s)", "path-to-regexp", "body-parser", "exit 1"},
			[]string{"SNYK-JS-PATHTOREGEXP-7925106", "upgrade to 0.1.10", "0.1.7"}},
		{2, "auth-error.json", false, []string{"could not test", "exit 2", "Authentication failed"}, nil},
		{3, "no-supported.json", false, []string{"exit 3", "no supported projects", "Could not detect supported target files in /src."}, nil},
		{137, "ok.json", false, []string{"unexpected code 137"}, nil},
	}
	for _, c := range cases {
		o := Decide(c.code, fixture(t, c.file))
		if o.Passed != c.passed {
			t.Errorf("exit %d: passed=%v want %v (%s)", c.code, o.Passed, c.passed, o.Reason)
		}
		if strings.Contains(o.Reason, "\n") {
			t.Errorf("exit %d: reason must be one line: %q", c.code, o.Reason)
		}
		for _, s := range c.reason {
			if !strings.Contains(o.Reason, s) {
				t.Errorf("exit %d: reason %q lacks %q", c.code, o.Reason, s)
			}
		}
		for _, s := range c.details {
			if !strings.Contains(o.Details, s) {
				t.Errorf("exit %d: details lack %q:\n%s", c.code, s, o.Details)
			}
		}
	}
}

func TestExitZeroWithErrorFails(t *testing.T) {
	if o := Decide(0, fixture(t, "auth-error.json")); o.Passed {
		t.Fatal("exit 0 with an error object passed")
	}
}

func TestExitOneWithGarbageStillFails(t *testing.T) {
	o := Decide(1, []byte("Testing /src...\nsomething"))
	if o.Passed || !strings.Contains(o.Reason, "could not be read") {
		t.Fatalf("got %+v", o)
	}
}

func TestArrayOutput(t *testing.T) {
	ps, err := Parse([]byte(`[` + string(fixture(t, "vulns.json")) + `,` + string(fixture(t, "ok.json")) + `]`))
	if err != nil || len(ps) != 2 {
		t.Fatalf("Parse array: %v %d", err, len(ps))
	}
}
