//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/m2m-ilp/connector/internal/npmstandin"
)

// highAdvisory is a made-up high-severity advisory against the connector's one runtime dependency.
var highAdvisory = map[string][]npmstandin.Advisory{
	"prom-client": {{
		ID:                 1099999,
		URL:                "https://github.com/advisories/GHSA-e2e0-test-0001",
		Title:              "E2E injected advisory in prom-client",
		Severity:           "high",
		VulnerableVersions: ">=0.0.0",
		CWE:                []string{"CWE-400"},
		CVSS:               npmstandin.CVSS{Score: 7.5, VectorString: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"},
	}},
}

// The clean repository here: every stage green except audit, which must fail closed because this
// network's npm registry refuses the advisory endpoint, and snyk, skipped without a token.
func TestCIOnCleanRepoFailsOnlyTheUnreachableAudit(t *testing.T) {
	r := call(t, "", nil, "ci")
	if r.code == 0 {
		t.Fatalf("ci passed, but the audit cannot reach the advisory endpoint here and must fail closed\n%s", r)
	}
	wantStages(t, r, map[string]string{"lint": "PASS", "test": "PASS", "audit": "FAIL", "snyk": "SKIP", "build": "PASS"})
	if !strings.Contains(r.output(), "FAILED CLOSED") {
		t.Errorf("the audit failure does not say it failed closed\n%s", r)
	}
}

// With the advisory endpoint served by a local stand-in that knows no advisory, ci is green and
// exits 0 (snyk skipped without a token).
func TestCIGreenWithCleanAuditStandIn(t *testing.T) {
	args := append([]string{"ci"}, standIn(t, nil, "audit-")...)
	r := call(t, "", nil, args...)
	if r.code != 0 {
		t.Fatalf("ci failed with a clean advisory stand-in\n%s", r)
	}
	wantStages(t, r, map[string]string{"lint": "PASS", "test": "PASS", "audit": "PASS", "snyk": "SKIP", "build": "PASS"})
}

func TestAuditStandInHighAdvisoryFailsNamingThePackage(t *testing.T) {
	args := append([]string{"audit"}, standIn(t, highAdvisory, "")...)
	r := call(t, "", nil, args...)
	if r.code == 0 {
		t.Fatalf("audit passed with a high advisory against prom-client\n%s", r)
	}
	for _, want := range []string{"prom-client", "high", "E2E injected advisory"} {
		if !strings.Contains(r.output(), want) {
			t.Errorf("audit output does not name %q\n%s", want, r)
		}
	}
}

// Each fault turns exactly its own stage red, with a message that names the cause; audit is
// served by a clean stand-in so that every other stage is green.
func TestFaultsTurnExactlyTheirStageRed(t *testing.T) {
	faults := []struct {
		name   string
		stage  string
		inject func(t *testing.T, dir string)
		cause  []string
	}{
		{
			name:  "lint error",
			stage: "lint",
			inject: func(t *testing.T, dir string) {
				edit(t, dir, "src/config.js", "\n", "\nconst e2eUnusedVariable = 1;\n")
			},
			cause: []string{"src/config.js", "e2eUnusedVariable"},
		},
		{
			name:  "failing test",
			stage: "test",
			inject: func(t *testing.T, dir string) {
				write(t, dir, "test/e2e-injected.test.js", "import test from 'node:test';\n"+
					"import assert from 'node:assert/strict';\n\n"+
					"test('e2e injected failure', () => {\n  assert.equal(1 + 1, 3);\n});\n")
			},
			cause: []string{"e2e injected failure"},
		},
		{
			name:  "broken Dockerfile",
			stage: "build",
			inject: func(t *testing.T, dir string) {
				edit(t, dir, "Dockerfile", "COPY src/ ./src/", "COPY e2e-missing-dir/ ./src/")
			},
			cause: []string{"e2e-missing-dir"},
		},
		{
			name:  "arm64-only failure",
			stage: "build",
			inject: func(t *testing.T, dir string) {
				edit(t, dir, "Dockerfile", "FROM node:22-alpine AS runtime\n",
					"FROM node:22-alpine AS runtime\nRUN if [ \"$(uname -m)\" = aarch64 ]; then echo 'e2e injected arm64 failure' >&2; exit 1; fi\n")
			},
			cause: []string{"linux/arm64"},
		},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			dir := copyRepo(t)
			f.inject(t, dir)
			args := append([]string{"ci"}, standIn(t, nil, "audit-")...)
			r := call(t, dir, nil, args...)
			if r.code == 0 {
				t.Fatalf("ci passed despite the %s\n%s", f.name, r)
			}
			want := map[string]string{"lint": "PASS", "test": "PASS", "audit": "PASS", "snyk": "SKIP", "build": "PASS"}
			want[f.stage] = "FAIL"
			wantStages(t, r, want)
			_, row := stageRow(t, r.output(), f.stage)
			for _, c := range f.cause {
				if !strings.Contains(r.output(), c) {
					t.Errorf("the %s failure does not name %q (row %q)\n%s", f.stage, c, row, r)
				}
			}
			if f.name == "arm64-only failure" && strings.Contains(row, "linux/amd64") {
				t.Errorf("the arm64-only failure also blames linux/amd64: %q", row)
			}
		})
	}
}

func TestPublishPushesOneMultiPlatformIndex(t *testing.T) {
	registry := os.Getenv("LOCAL_ENGINE_REGISTRY")
	repo := fmt.Sprintf("e2e/m2m-ilp-connector-%d", time.Now().UnixNano())
	r := call(t, "", nil, "publish", "--registry="+registry, "--repository="+repo, "--sha=0123456789abcdef",
		"--version=1.2.3", "--username=e2e", "--password=env://E2E_CANARY")
	if r.code != 0 {
		t.Fatalf("publish to the local registry failed\n%s", r)
	}
	if !strings.Contains(r.stdout, registry+"/"+repo+"@sha256:") {
		t.Errorf("publish did not return the digest reference\n%s", r)
	}
	for _, tag := range []string{"0123456789abcdef", "1.2.3"} {
		raw, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://"+registry+"/"+repo+":"+tag).Output()
		if err != nil {
			t.Fatalf("skopeo inspect --raw %s:%s: %v", repo, tag, err)
		}
		var index struct {
			Manifests []struct {
				Platform struct{ OS, Architecture string } `json:"platform"`
			} `json:"manifests"`
		}
		if err := json.Unmarshal(raw, &index); err != nil {
			t.Fatalf("tag %s is not an index: %v\n%s", tag, err, raw)
		}
		got := map[string]bool{}
		for _, m := range index.Manifests {
			got[m.Platform.OS+"/"+m.Platform.Architecture] = true
		}
		if !got["linux/amd64"] || !got["linux/arm64"] {
			t.Errorf("tag %s: platforms %v, want linux/amd64 and linux/arm64", tag, got)
		}
	}
	exists := exec.Command("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://"+registry+"/"+repo+":latest").Run()
	if exists == nil {
		t.Errorf("latest was tagged without --latest")
	}
}

// A Snyk CLI that reports vulnerabilities (exit 1) turns snyk red; the token never shows.
func TestSnykStandInReportingVulnerabilitiesFails(t *testing.T) {
	engine(t)
	image := fmt.Sprintf("%s/e2e/snyk-vulnerable:%d", os.Getenv("LOCAL_ENGINE_REGISTRY"), time.Now().UnixNano())
	script := `#!/bin/sh
# Stand-in for the Snyk CLI that always finds one high vulnerability (exit 1, as snyk does).
[ -n "$SNYK_TOKEN" ] || { echo "no token" >&2; exit 2; }
cat <<'EOF'
{"ok":false,"vulnerabilities":[{"id":"SNYK-JS-E2E-0001","title":"E2E injected vulnerability","severity":"high","packageName":"prom-client","version":"15.1.3","from":["m2m-ilp-connector@0.1.0","prom-client@15.1.3"],"isUpgradable":false,"isPatchable":false}],"uniqueCount":1,"summary":"1 high severity vulnerable dependency path","packageManager":"npm","projectName":"m2m-ilp-connector"}
EOF
exit 1
`
	pub := exec.Command("dagger", "--progress=plain", "core", "container", "from", "--address=node:22-alpine",
		"with-new-file", "--path=/usr/local/bin/snyk", "--contents="+script, "--permissions=493",
		"publish", "--address="+image)
	if out, err := pub.CombinedOutput(); err != nil {
		t.Fatalf("publish the vulnerable Snyk stand-in: %v\n%s", err, tail(string(out), 30))
	}
	r := call(t, "", nil, "snyk", "--token=env://E2E_CANARY", "--image="+image)
	if r.code == 0 {
		t.Fatalf("snyk passed although the scanner exited 1 with a high vulnerability\n%s", r)
	}
	for _, want := range []string{"prom-client", "SNYK-JS-E2E-0001"} {
		if !strings.Contains(r.output(), want) {
			t.Errorf("snyk output does not name %q\n%s", want, r)
		}
	}
}

func TestSnykWithoutTokenSkipsLocallyAndFailsInCI(t *testing.T) {
	local := call(t, "", nil, "snyk")
	if local.code != 0 || !strings.Contains(strings.ToLower(local.output()), "skip") {
		t.Errorf("snyk without a token should pass as a clearly reported skip locally\n%s", local)
	}
	ci := call(t, "", nil, "snyk", "--ci")
	if ci.code == 0 {
		t.Fatalf("snyk --ci without a token passed\n%s", ci)
	}
	if !strings.Contains(ci.output(), "SNYK_TOKEN") {
		t.Errorf("the CI failure does not say how to pass the token\n%s", ci)
	}
}

// The pinned Snyk image here is a stand-in that cannot reach the Snyk API: with a token it must fail
// (exit 2, could not test), never pass.
func TestSnykThatCannotTestFailsClosed(t *testing.T) {
	r := call(t, "", nil, "snyk", "--token=env://E2E_CANARY")
	if r.code == 0 {
		t.Fatalf("snyk passed although the scanner could not reach the Snyk API\n%s", r)
	}
}
