package workflowlint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, root, name, body string) {
	t.Helper()
	p := filepath.Join(root, ".github", "workflows", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const good = `name: ci
on: [push]
permissions:
  contents: read
jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.sha }}"
`

func TestGoodWorkflowHasNoFindings(t *testing.T) {
	root := t.TempDir()
	write(t, root, "ci.yml", good)
	f, files, err := Lint(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 0 || len(files) != 1 || files[0] != ".github/workflows/ci.yml" {
		t.Fatalf("findings=%v files=%v", f, files)
	}
}

func TestBadWorkflowReportsFileLineCol(t *testing.T) {
	root := t.TempDir()
	write(t, root, "ci.yml", good)
	write(t, root, "broken.yaml", `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.shaa }}"
      - uses: actions/checkout@v4
        with:
          fetch-depht: 0
`)
	f, files, err := Lint(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("files=%v", files)
	}
	joined := strings.Join(f, "\n")
	if !strings.Contains(joined, ".github/workflows/broken.yaml:6:") || !strings.Contains(joined, "shaa") {
		t.Fatalf("missing the bad property finding with file:line:\n%s", joined)
	}
	if strings.Contains(joined, "ci.yml") {
		t.Fatalf("good workflow reported:\n%s", joined)
	}
}

func TestNoWorkflows(t *testing.T) {
	f, files, err := Lint(t.TempDir())
	if err != nil || f != nil || files != nil {
		t.Fatalf("got %v %v %v", f, files, err)
	}
}
