package toolout

import (
	"strings"
	"testing"
)

const stylish = `
> m2m-ilp-connector@0.1.0 lint
> eslint .


/src/src/app.js
  12:7   error    'unused' is assigned a value but never used  no-unused-vars
  40:1   warning  Unexpected console statement                 no-console

/src/test/x.test.js
  3:10  error  Parsing error: Unexpected token

✖ 3 problems (2 errors, 1 warning)
`

func TestESLintStylish(t *testing.T) {
	got := ESLintStylish(stylish, "/src/")
	want := []string{
		"src/app.js:12:7: error 'unused' is assigned a value but never used [no-unused-vars]",
		"src/app.js:40:1: warning Unexpected console statement [no-console]",
		"test/x.test.js:3:10: error Parsing error: Unexpected token",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ESLintStylish("Oops! Something went wrong! :(\n\nESLint: 9.39.5\n", "/src/") != nil {
		t.Fatal("crash output parsed as findings")
	}
}

func TestNodeTestSummarySpec(t *testing.T) {
	out := "▶ config\n  ✔ ok (1ms)\n✖ broken (2ms)\nℹ tests 12\nℹ suites 3\nℹ pass 11\nℹ fail 1\nℹ cancelled 0\nℹ skipped 0\nℹ todo 0\nℹ duration_ms 812\n\n✖ failing tests:\n\ntest at test/x.test.js:3:1\n✖ broken (2ms)\n  AssertionError"
	c := NodeTestSummary(out)
	if !c.Found || c.Tests != 12 || c.Pass != 11 || c.Fail != 1 {
		t.Fatalf("got %+v", c)
	}
	if c.String() != "12 tests: 11 passed, 1 failed" {
		t.Fatalf("String() = %q", c.String())
	}
	if f := NodeTestFailures(out); !strings.HasPrefix(f, "✖ failing tests:") || !strings.Contains(f, "test/x.test.js:3:1") {
		t.Fatalf("failures = %q", f)
	}
}

func TestNodeTestSummaryTAP(t *testing.T) {
	c := NodeTestSummary("TAP version 13\nok 1 - a\n1..1\n# tests 1\n# pass 1\n# fail 0\n")
	if !c.Found || c.Tests != 1 || c.Fail != 0 {
		t.Fatalf("got %+v", c)
	}
	if NodeTestSummary("npm error Missing script: \"test\"").Found {
		t.Fatal("found counts in an npm error")
	}
}

func TestTailHead(t *testing.T) {
	s := "1\n2\n3\n4\n"
	if got := Tail(s, 2); got != "[... 2 earlier lines omitted ...]\n3\n4" {
		t.Fatalf("Tail = %q", got)
	}
	if got := Head(s, 3); got != "1\n2\n3\n[... 1 more lines omitted ...]" {
		t.Fatalf("Head = %q", got)
	}
	if got := Tail("a", 5); got != "a" {
		t.Fatalf("Tail short = %q", got)
	}
}

func TestNodeTestFailuresTAP(t *testing.T) {
	out := `TAP version 13
# Subtest: fine
ok 1 - fine
  ---
  duration_ms: 1.2
  ...
# Subtest: deliberately broken
not ok 2 - deliberately broken
  ---
  duration_ms: 0.9
  location: '/src/test/zz-broken.test.js:4:1'
  failureType: 'testCodeFailure'
  error: |-
    Expected values to be strictly equal:

    2 !== 3
  ...
1..2
# tests 2
# pass 1
# fail 1
`
	got := NodeTestFailures(out)
	if !strings.HasPrefix(got, "not ok 2 - deliberately broken\n  ---") || !strings.Contains(got, "location: '/src/test/zz-broken.test.js:4:1'") || !strings.HasSuffix(got, "  ...") {
		t.Fatalf("got:\n%s", got)
	}
	if strings.Contains(got, "ok 1 - fine") {
		t.Fatalf("passing test included:\n%s", got)
	}
	if NodeTestFailures("ok 1 - a\n# fail 0\n") != "" {
		t.Fatal("failures found in a green run")
	}
}
