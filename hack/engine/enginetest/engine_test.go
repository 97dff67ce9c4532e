// Package enginetest checks the local Dagger engine that scripts/local-engine.sh brings up: the
// versions, a Go SDK module, the node:22-alpine image on both platforms, network and TLS from inside a
// container, and a multi-platform publish to the local registry.
//
// These tests talk to a real engine. They run `scripts/local-engine.sh up` once (idempotent) and use
// the exports of `scripts/local-engine.sh env`. Set LOCAL_ENGINE_SKIP_UP=1 to use an engine that is
// already up.
package enginetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"dagger.io/dagger"
)

var (
	upOnce sync.Once
	upErr  error
	envs   map[string]string
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// engine brings the local engine up once per test binary and sets the client environment.
func engine(t *testing.T) map[string]string {
	t.Helper()
	root := repoRoot(t)
	upOnce.Do(func() {
		script := filepath.Join(root, "scripts", "local-engine.sh")
		if os.Getenv("LOCAL_ENGINE_SKIP_UP") == "" {
			cmd := exec.Command("bash", script, "up")
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				upErr = fmt.Errorf("scripts/local-engine.sh up: %w", err)
				return
			}
		}
		out, err := exec.Command("bash", script, "env").Output()
		if err != nil {
			upErr = fmt.Errorf("scripts/local-engine.sh env: %w", err)
			return
		}
		envs = map[string]string{}
		for _, line := range strings.Split(string(out), "\n") {
			line = strings.TrimPrefix(strings.TrimSpace(line), "export ")
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			if k == "PATH" {
				v = strings.ReplaceAll(v, "$PATH", os.Getenv("PATH"))
			}
			envs[k] = v
			if err := os.Setenv(k, v); err != nil {
				upErr = err
				return
			}
		}
	})
	if upErr != nil {
		t.Fatal(upErr)
	}
	return envs
}

func daggerCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dagger", append([]string{"--progress=plain"}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("dagger %s: %w\nstderr:\n%s", strings.Join(args, " "), err, tail(stderr.String(), 40))
	}
	return stdout.String(), nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func connect(t *testing.T) *dagger.Client {
	t.Helper()
	engine(t)
	// The session lives as long as this context: the whole test.
	c, err := dagger.Connect(t.Context())
	if err != nil {
		t.Fatalf("connect to the local engine: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Logf("close dagger client: %v", err)
		}
	})
	return c
}

func TestEngineVersionIsPinned(t *testing.T) {
	engine(t)
	out, err := daggerCmd(t, t.TempDir(), "core", "version")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != "v0.19.10" {
		t.Fatalf("dagger core version = %q, want v0.19.10", strings.TrimSpace(out))
	}
	cli, err := exec.Command("dagger", "version").Output()
	if err != nil {
		t.Fatalf("dagger version: %v", err)
	}
	if !strings.HasPrefix(string(cli), "dagger v0.19.10 ") {
		t.Fatalf("CLI version = %q, want dagger v0.19.10", cli)
	}
}

func TestGoSDKModuleAnswersCall(t *testing.T) {
	engine(t)
	dir := t.TempDir()
	if _, err := daggerCmd(t, dir, "init", "--sdk=go", "--name=hello", "--source=.", "--license="); err != nil {
		t.Fatal(err)
	}
	src := `// A module that only greets, to prove the Go SDK runtime works on this engine.
package main

import "fmt"

type Hello struct{}

// Greet returns a greeting for name.
func (m *Hello) Greet(
	// Who to greet.
	name string,
) string {
	return fmt.Sprintf("hello, %s from the local engine", name)
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := daggerCmd(t, dir, "call", "greet", "--name=ci")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out); got != "hello, ci from the local engine" {
		t.Fatalf("dagger call greet = %q", got)
	}
}

func TestNodeImageOnBothPlatforms(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for plat, arch := range map[dagger.Platform]string{"linux/amd64": "x86_64", "linux/arm64": "aarch64"} {
		t.Run(string(plat), func(t *testing.T) {
			out, err := c.Container(dagger.ContainerOpts{Platform: plat}).
				From("node:22-alpine").
				WithExec([]string{"sh", "-c", "uname -m; node -v; id -un node"}).
				Stdout(ctx)
			if err != nil {
				t.Fatalf("node:22-alpine on %s: %v", plat, err)
			}
			lines := strings.Fields(out)
			if len(lines) != 3 || lines[0] != arch || !strings.HasPrefix(lines[1], "v22.") || lines[2] != "node" {
				t.Fatalf("on %s got %q, want [%s v22.x node]", plat, lines, arch)
			}
		})
	}
}

func TestNpmRegistryReachableThroughTheProxyCA(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := c.Container().From("node:22-alpine").
		WithEnvVariable("CACHE_BUSTER", time.Now().String()).
		WithExec([]string{"npm", "view", "left-pad", "version"}).
		Stdout(ctx)
	if err != nil {
		t.Fatalf("npm view left-pad version inside node:22-alpine: %v", err)
	}
	if strings.TrimSpace(out) == "" {
		t.Fatal("npm view left-pad version printed nothing")
	}
}

func TestPublishMultiPlatformToLocalRegistry(t *testing.T) {
	env := engine(t)
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var variants []*dagger.Container
	for _, p := range []dagger.Platform{"linux/amd64", "linux/arm64"} {
		variants = append(variants, c.Container(dagger.ContainerOpts{Platform: p}).
			From("node:22-alpine").
			WithNewFile("/hello.txt", "built for "+string(p)))
	}
	ref := fmt.Sprintf("%s/enginetest/multiarch:%d", env["LOCAL_ENGINE_REGISTRY"], time.Now().UnixNano())
	digestRef, err := c.Container().Publish(ctx, ref, dagger.ContainerPublishOpts{PlatformVariants: variants})
	if err != nil {
		t.Fatalf("publish %s: %v", ref, err)
	}
	if !strings.Contains(digestRef, "@sha256:") {
		t.Fatalf("publish returned %q, want a digest reference", digestRef)
	}
	raw, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://"+ref).Output()
	if err != nil {
		t.Fatalf("skopeo inspect --raw %s: %v", ref, err)
	}
	var index struct {
		MediaType string `json:"mediaType"`
		Manifests []struct {
			Platform struct {
				OS           string `json:"os"`
				Architecture string `json:"architecture"`
			} `json:"platform"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		t.Fatalf("parse index: %v\n%s", err, raw)
	}
	got := map[string]bool{}
	for _, m := range index.Manifests {
		got[m.Platform.OS+"/"+m.Platform.Architecture] = true
	}
	if !got["linux/amd64"] || !got["linux/arm64"] {
		t.Fatalf("published index %s has platforms %v, want linux/amd64 and linux/arm64", index.MediaType, got)
	}
}
