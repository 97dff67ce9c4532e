//go:build e2e

// Package e2e runs the pipeline module (dagger.json, ci/) against a real Dagger engine: on this
// repository and on fault-injected copies of it, with local stand-ins where an outside service
// cannot be reached (the npm advisory endpoint, GHCR, the Snyk CLI image).
//
// Run with: go test -tags e2e -timeout 45m ./e2e/
// The engine is the one scripts/local-engine.sh brought up (scripts/test-all.sh does that first), or
// the one _EXPERIMENTAL_DAGGER_RUNNER_HOST points at.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m2m-ilp/connector/internal/npmstandin"
)

var (
	upOnce  sync.Once
	upErr   error
	canary  = "canary-" + randomHex(12)
	allOut  bytes.Buffer // every output of every run, checked for the canary at the end
	allOutM sync.Mutex
)

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func TestMain(m *testing.M) {
	code := m.Run()
	allOutM.Lock()
	leaked := strings.Contains(allOut.String(), canary)
	allOutM.Unlock()
	if leaked {
		fmt.Fprintln(os.Stderr, "FAIL: a canary secret appeared in the output of a pipeline run")
		code = 1
	}
	os.Exit(code)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// engine checks once that an engine is reachable and exports its client environment into this
// process. It does not start one: scripts/test-all.sh (or scripts/local-engine.sh up) does, and
// hack/engine/enginetest tests that start. With _EXPERIMENTAL_DAGGER_RUNNER_HOST already set (another
// engine), that one is used.
func engine(t *testing.T) {
	t.Helper()
	upOnce.Do(func() {
		if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") != "" {
			return
		}
		script := filepath.Join(repoRoot(t), "scripts", "local-engine.sh")
		if out, err := exec.Command("bash", script, "status").CombinedOutput(); err != nil {
			upErr = fmt.Errorf("no Dagger engine: %s\nstart one with scripts/local-engine.sh up (scripts/test-all.sh does)", out)
			return
		}
		out, err := exec.Command("bash", script, "env").Output()
		if err != nil {
			upErr = fmt.Errorf("scripts/local-engine.sh env: %w", err)
			return
		}
		for _, line := range strings.Split(string(out), "\n") {
			k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "export "), "=")
			if ok {
				upErr = errors.Join(upErr, os.Setenv(k, strings.ReplaceAll(v, "$PATH", os.Getenv("PATH"))))
			}
		}
	})
	if upErr != nil {
		t.Fatal(upErr)
	}
}

// result is one `dagger call`.
type result struct {
	args   []string
	stdout string
	stderr string
	code   int
}

func (r result) output() string { return r.stdout + "\n" + r.stderr }

func (r result) String() string {
	return fmt.Sprintf("dagger %s (exit %d)\n--- stdout:\n%s\n--- stderr (tail):\n%s",
		strings.Join(r.args, " "), r.code, r.stdout, tail(r.stderr, 60))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// call runs `dagger call` on the module in this repository, with the given source directory
// ("" for the repository itself) and extra environment variables.
func call(t *testing.T, source string, env []string, args ...string) result {
	t.Helper()
	engine(t)
	root := repoRoot(t)
	full := []string{"--progress=plain", "-m", root, "call"}
	if source != "" {
		full = append(full, "--source="+source)
	}
	full = append(full, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dagger", full...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "E2E_CANARY="+canary, "DAGGER_NO_NAG=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{args: full, stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		r.code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		}
	}
	allOutM.Lock()
	allOut.WriteString(r.output())
	allOutM.Unlock()
	if strings.Contains(r.output(), canary) {
		t.Errorf("the canary secret appeared in the output of dagger %s", strings.Join(args, " "))
	}
	t.Logf("dagger call %s: exit %d in %s", strings.Join(args, " "), r.code, time.Since(start).Round(time.Second))
	return r
}

// copyRepo copies the files git tracks (and untracked files it does not ignore) into a temp dir.
func copyRepo(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := t.TempDir()
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if rel == "" {
			continue
		}
		src := filepath.Join(root, rel)
		info, err := os.Lstat(src)
		if err != nil {
			continue // deleted in the work tree
		}
		if !info.Mode().IsRegular() {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := copyFile(src, filepath.Join(dst, rel), info.Mode()); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode.Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// edit rewrites one file of a copy; it fails the test when old is not found.
func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("fault injection: %q not found in %s", old, rel)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// standIn starts the npm advisory stand-in on 127.0.0.1 and returns the ci/audit arguments that
// reach it from inside the engine (a host service tunnelled by the Dagger CLI).
func standIn(t *testing.T, advisories map[string][]npmstandin.Advisory, prefix string) []string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: &npmstandin.Server{Advisories: advisories, Upstream: "https://registry.npmjs.org"}}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			t.Errorf("npm stand-in: %v", err)
		}
	}()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Logf("close npm stand-in: %v", err)
		}
	})
	port := ln.Addr().(*net.TCPAddr).Port
	return []string{
		fmt.Sprintf("--%sregistry=http://npm-registry:%d/", prefix, port),
		fmt.Sprintf("--%sregistry-service=tcp://localhost:%d", prefix, port),
	}
}

// stageRow finds a stage's row in the summary table printed by ci: "lint  PASS  12.3s  reason".
func stageRow(t *testing.T, out, stage string) (status, line string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(stage) + `\s+(PASS|FAIL|SKIP)\b.*$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		return "", ""
	}
	return m[1], m[0]
}

// wantStages checks every stage of the summary table has the expected result.
func wantStages(t *testing.T, r result, want map[string]string) {
	t.Helper()
	for stage, status := range want {
		got, line := stageRow(t, r.output(), stage)
		if got != status {
			t.Errorf("stage %s: got %q (row %q), want %s\n%s", stage, got, line, status, r)
		}
	}
}
