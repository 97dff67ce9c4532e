package deploycheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Canary secret values: none may ever appear in the preflight's output.
const (
	canaryGrafana   = "Grafana-CANARY-4f1e9a77c2"
	canarySlack     = "https://hooks.slack.com/services/T1CANARY/B2CANARY/slackCANARY9d3"
	canaryPagerDuty = "pdCANARY0123456789abcdef01234567"
	canarySMTP      = "smtp-CANARY-77a1b"
	canaryEnvPass   = "EnvGrafana-CANARY-0b8c61"
)

var canaries = []string{canaryGrafana, canarySlack, canaryPagerDuty, canarySMTP, canaryEnvPass, "CANARY"}

// goodEnv is a complete production env file (as key/value lines).
func goodEnv() map[string]string {
	return map[string]string{
		"NODE_ENV":               "production",
		"KEY_BACKEND":            "aws-kms",
		"AWS_KMS_KEY_ID":         "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"AWS_REGION":             "eu-west-1",
		"TIGERBEETLE_CLUSTER_ID": "271828182845904523536",
		"CONNECTOR_IMAGE":        "ghcr.io/m2m-ilp/m2m-ilp-connector:1.2.3",
	}
}

func goodSecrets() map[string]string {
	return map[string]string{
		"grafana_admin_password": canaryGrafana + "\n",
		"slack_webhook_url":      canarySlack,
		"pagerduty_routing_key":  canaryPagerDuty,
		"smtp_auth_password":     canarySMTP,
	}
}

type preflightCase struct {
	name      string
	env       func(map[string]string) // edits the env file's variables
	rawEnv    string                  // appended verbatim to the env file
	secrets   func(dir string, s map[string]string)
	process   []string // extra process environment
	wantCode  int
	wantFails int    // number of FAIL lines (not counting the summary)
	want      string // substring of the output
	wantWarn  string // substring of a WARN line
}

func writeEnvFile(t *testing.T, path string, vars map[string]string, raw string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# production env file written by the test\n\n")
	for k, v := range vars {
		b.WriteString(k + "=" + v + "\n")
	}
	b.WriteString(raw)
	writeFile(t, path, b.String(), 0o600)
}

// runPreflight runs the real script with a minimal process environment.
func runPreflight(t *testing.T, dir string, extraEnv []string, args ...string) cmdResult {
	t.Helper()
	script := repoPath(t, "scripts", "production-preflight.sh")
	env := append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C"}, extraEnv...)
	return run(t, dir, env, "bash", append([]string{script}, args...)...)
}

func failLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, ": FAIL: ") && !regexp.MustCompile(`FAIL: \d+ problem`).MatchString(l) {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestPreflight(t *testing.T) {
	cases := []preflightCase{
		{name: "good configuration passes", wantCode: 0, want: "PASS: "},
		{name: "aws-kms with quoted, exported and commented values passes", wantCode: 0, want: "PASS: ",
			env: func(e map[string]string) {
				delete(e, "KEY_BACKEND")
				delete(e, "AWS_REGION")
			},
			rawEnv: "export KEY_BACKEND=\"aws-kms\"   # KMS only\nAWS_REGION='eu-west-1'\n"},
		{name: "gcp-kms passes", wantCode: 0, want: "PASS: ", env: func(e map[string]string) {
			e["KEY_BACKEND"] = "gcp-kms"
			e["GCP_KMS_KEY_NAME"] = "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k"
		}},
		{name: "azure-kv passes", wantCode: 0, want: "PASS: ", env: func(e map[string]string) {
			e["KEY_BACKEND"] = "azure-kv"
			e["AZURE_KEY_VAULT_URL"] = "https://vault.vault.azure.net"
			e["AZURE_KEY_NAME"] = "settlement-key"
		}},

		// One fault at a time: exactly one FAIL line, naming the cause.
		{name: "KEY_BACKEND unset", env: func(e map[string]string) { delete(e, "KEY_BACKEND") },
			wantCode: 1, wantFails: 1, want: "KEY_BACKEND is not set"},
		{name: "KEY_BACKEND=env", env: func(e map[string]string) { e["KEY_BACKEND"] = "env" },
			wantCode: 1, wantFails: 1, want: "KEY_BACKEND is \"env\""},
		{name: "KEY_BACKEND unknown", env: func(e map[string]string) { e["KEY_BACKEND"] = "vault" },
			wantCode: 1, wantFails: 1, want: "KEY_BACKEND is \"vault\""},
		{name: "KEY_BACKEND=env in the process environment wins over the file", process: []string{"KEY_BACKEND=env"},
			wantCode: 1, wantFails: 1, want: "KEY_BACKEND is \"env\" in the process environment"},
		{name: "NODE_ENV=development", env: func(e map[string]string) { e["NODE_ENV"] = "development" },
			wantCode: 1, wantFails: 1, want: "NODE_ENV is \"development\""},
		{name: "NODE_ENV unset", env: func(e map[string]string) { delete(e, "NODE_ENV") },
			wantCode: 1, wantFails: 1, want: "NODE_ENV is not set"},
		{name: "aws-kms without key id", env: func(e map[string]string) { delete(e, "AWS_KMS_KEY_ID") },
			wantCode: 1, wantFails: 1, want: "AWS_KMS_KEY_ID is not set, but KEY_BACKEND=aws-kms needs it"},
		{name: "aws-kms with a malformed key id", env: func(e map[string]string) { e["AWS_KMS_KEY_ID"] = "my key" },
			wantCode: 1, wantFails: 1, want: "AWS_KMS_KEY_ID in "},
		{name: "aws-kms without region", env: func(e map[string]string) { delete(e, "AWS_REGION") },
			wantCode: 1, wantFails: 1, want: "AWS_REGION is not set, but KEY_BACKEND=aws-kms needs it"},
		{name: "gcp-kms without key name", env: func(e map[string]string) { e["KEY_BACKEND"] = "gcp-kms" },
			wantCode: 1, wantFails: 1, want: "GCP_KMS_KEY_NAME is not set, but KEY_BACKEND=gcp-kms needs it"},
		{name: "azure-kv without vault URL", env: func(e map[string]string) {
			e["KEY_BACKEND"] = "azure-kv"
			e["AZURE_KEY_NAME"] = "settlement-key"
		}, wantCode: 1, wantFails: 1, want: "AZURE_KEY_VAULT_URL is not set, but KEY_BACKEND=azure-kv needs it"},
		{name: "azure-kv without key name", env: func(e map[string]string) {
			e["KEY_BACKEND"] = "azure-kv"
			e["AZURE_KEY_VAULT_URL"] = "https://vault.vault.azure.net"
		}, wantCode: 1, wantFails: 1, want: "AZURE_KEY_NAME is not set"},
		{name: "GRAFANA_PASSWORD=admin", env: func(e map[string]string) { e["GRAFANA_PASSWORD"] = "admin" },
			wantCode: 1, wantFails: 1, want: "GRAFANA_PASSWORD in "},
		{name: "GRAFANA_PASSWORD=Admin (case-insensitive)", env: func(e map[string]string) { e["GRAFANA_PASSWORD"] = "Admin" },
			wantCode: 1, wantFails: 1, want: "is a default password"},
		{name: "GRAFANA_PASSWORD too short", env: func(e map[string]string) { e["GRAFANA_PASSWORD"] = "CANARYshort1" },
			wantCode: 1, wantFails: 1, want: "GRAFANA_PASSWORD in "},
		{name: "strong GRAFANA_PASSWORD is accepted", env: func(e map[string]string) { e["GRAFANA_PASSWORD"] = canaryEnvPass },
			wantCode: 0, want: "PASS: "},
		{name: "grafana secret missing", secrets: func(d string, s map[string]string) { delete(s, "grafana_admin_password") },
			wantCode: 1, wantFails: 1, want: "GRAFANA_PASSWORD is empty or unset and "},
		{name: "grafana secret missing although GRAFANA_PASSWORD is set", env: func(e map[string]string) { e["GRAFANA_PASSWORD"] = canaryEnvPass },
			secrets:  func(d string, s map[string]string) { delete(s, "grafana_admin_password") },
			wantCode: 1, wantFails: 1, want: "grafana_admin_password is missing"},
		{name: "grafana secret is admin", secrets: func(d string, s map[string]string) { s["grafana_admin_password"] = "admin\n" },
			wantCode: 1, wantFails: 1, want: "grafana_admin_password is a default password"},
		{name: "grafana secret too short", secrets: func(d string, s map[string]string) { s["grafana_admin_password"] = "CANARY-7" },
			wantCode: 1, wantFails: 1, want: "grafana_admin_password is shorter than 16 characters"},
		{name: "grafana secret empty", secrets: func(d string, s map[string]string) { s["grafana_admin_password"] = "\n" },
			wantCode: 1, wantFails: 1, want: "grafana_admin_password is empty"},
		{name: "slack webhook missing", secrets: func(d string, s map[string]string) { delete(s, "slack_webhook_url") },
			wantCode: 1, wantFails: 1, want: "slack_webhook_url is missing"},
		{name: "slack webhook is the documentation placeholder", secrets: func(d string, s map[string]string) {
			s["slack_webhook_url"] = "https://hooks.slack.com/services/T000/B000/XXXX"
		}, wantCode: 1, wantFails: 1, want: "slack_webhook_url holds the placeholder"},
		{name: "slack webhook not a URL", secrets: func(d string, s map[string]string) { s["slack_webhook_url"] = "CANARY-not-a-url" },
			wantCode: 1, wantFails: 1, want: "slack_webhook_url does not hold an https:// URL"},
		{name: "pagerduty key missing", secrets: func(d string, s map[string]string) { delete(s, "pagerduty_routing_key") },
			wantCode: 1, wantFails: 1, want: "pagerduty_routing_key is missing"},
		{name: "pagerduty key malformed", secrets: func(d string, s map[string]string) { s["pagerduty_routing_key"] = "CANARY-short" },
			wantCode: 1, wantFails: 1, want: "pagerduty_routing_key is not a 32-character PagerDuty integration key"},
		{name: "smtp password missing", secrets: func(d string, s map[string]string) { delete(s, "smtp_auth_password") },
			wantCode: 1, wantFails: 1, want: "smtp_auth_password is missing"},
		{name: "secret file writable by others", secrets: func(d string, s map[string]string) {
			writeFile(t, filepath.Join(d, "smtp_auth_password"), canarySMTP, 0o666)
			delete(s, "smtp_auth_password")
		}, wantCode: 1, wantFails: 1, want: "smtp_auth_password is writable by group or others (mode 666)"},
		{name: "TIGERBEETLE_CLUSTER_ID unset", env: func(e map[string]string) { delete(e, "TIGERBEETLE_CLUSTER_ID") },
			wantCode: 1, wantFails: 1, want: "TIGERBEETLE_CLUSTER_ID is not set"},
		{name: "TIGERBEETLE_CLUSTER_ID not a number", env: func(e map[string]string) { e["TIGERBEETLE_CLUSTER_ID"] = "abc" },
			wantCode: 1, wantFails: 1, want: "TIGERBEETLE_CLUSTER_ID in "},
		{name: "TIGERBEETLE_CLUSTER_ID above 2^128-1", env: func(e map[string]string) {
			e["TIGERBEETLE_CLUSTER_ID"] = "340282366920938463463374607431768211456"
		}, wantCode: 1, wantFails: 1, want: "between 0 and 2^128-1"},
		{name: "TIGERBEETLE_CLUSTER_ID = 2^128-1 is accepted", env: func(e map[string]string) {
			e["TIGERBEETLE_CLUSTER_ID"] = "340282366920938463463374607431768211455"
		}, wantCode: 0, want: "PASS: "},
		{name: "malformed env file line", rawEnv: "this line is CANARY garbage\n",
			wantCode: 1, wantFails: 1, want: "not a KEY=VALUE line"},
		{name: "unterminated quote", rawEnv: "LOG_LEVEL=\"info\n",
			wantCode: 1, wantFails: 1, want: "LOG_LEVEL has an unterminated quote"},

		// Warnings do not fail the deploy.
		{name: "cluster id 0 warns", env: func(e map[string]string) { e["TIGERBEETLE_CLUSTER_ID"] = "0" },
			wantCode: 0, want: "PASS: ", wantWarn: "TIGERBEETLE_CLUSTER_ID is 0"},
		{name: "latest image warns", env: func(e map[string]string) { e["CONNECTOR_IMAGE"] = "ghcr.io/m2m-ilp/m2m-ilp-connector:latest" },
			wantCode: 0, want: "PASS: ", wantWarn: "CONNECTOR_IMAGE uses the latest tag"},
		{name: "world-readable secret warns", secrets: func(d string, s map[string]string) {
			writeFile(t, filepath.Join(d, "smtp_auth_password"), canarySMTP, 0o644)
			delete(s, "smtp_auth_password")
		}, wantCode: 0, want: "PASS: ", wantWarn: "smtp_auth_password is readable by every user"},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			vars := goodEnv()
			if c.env != nil {
				c.env(vars)
			}
			writeEnvFile(t, filepath.Join(dir, "prod.env"), vars, c.rawEnv)
			secretsDir := filepath.Join(dir, "secrets")
			if err := os.Mkdir(secretsDir, 0o700); err != nil {
				t.Fatal(err)
			}
			secrets := goodSecrets()
			if c.secrets != nil {
				c.secrets(secretsDir, secrets)
			}
			for name, content := range secrets {
				writeFile(t, filepath.Join(secretsDir, name), content, 0o400)
			}

			r := runPreflight(t, dir, c.process, "--env-file", "prod.env", "--secrets-dir", secretsDir)
			if r.code != c.wantCode {
				t.Fatalf("exit code %d, want %d; output:\n%s", r.code, c.wantCode, r.out)
			}
			if !strings.Contains(r.out, c.want) {
				t.Errorf("output does not contain %q:\n%s", c.want, r.out)
			}
			if fails := failLines(r.out); len(fails) != c.wantFails {
				t.Errorf("%d FAIL lines, want %d:\n%s", len(fails), c.wantFails, r.out)
			}
			if c.wantFails > 0 && !strings.Contains(r.out, "Fix: ") {
				t.Errorf("the failure does not say how to fix it:\n%s", r.out)
			}
			if c.wantWarn != "" && !regexp.MustCompile(`WARN: .*`+regexp.QuoteMeta(c.wantWarn)).MatchString(r.out) {
				t.Errorf("no warning %q:\n%s", c.wantWarn, r.out)
			}
			for _, canary := range canaries {
				if strings.Contains(r.out, canary) {
					t.Errorf("the output reveals a secret value (%s...):\n%s", canary[:6], r.out)
				}
			}
		})
	}
}

// The development defaults of .env.example must never pass, and the
// failure must name KEY_BACKEND and GRAFANA_PASSWORD.
func TestPreflightRejectsDevelopmentDefaults(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".env"), readFile(t, repoPath(t, ".env.example")), 0o600)
	if err := os.Mkdir(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Default --env-file is .env in the working directory.
	r := runPreflight(t, dir, nil, "--secrets-dir", filepath.Join(dir, "secrets"))
	if r.code != 1 {
		t.Fatalf("exit code %d, want 1; output:\n%s", r.code, r.out)
	}
	for _, want := range []string{"FAIL: KEY_BACKEND is \"env\"", "FAIL: GRAFANA_PASSWORD is empty or unset", "FAIL: NODE_ENV is \"development\""} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output does not contain %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "PASS: ") {
		t.Errorf("development defaults passed:\n%s", r.out)
	}
}

// The env file is data: command substitutions in it are never run.
func TestPreflightNeverExecutesTheEnvFile(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "pwned")
	vars := goodEnv()
	vars["KEY_BACKEND"] = "$(touch " + marker + ")"
	writeEnvFile(t, filepath.Join(dir, "prod.env"), vars, "`touch "+marker+"`\nLOG_LEVEL=$(touch "+marker+")\n")
	secretsDir := filepath.Join(dir, "secrets")
	for name, content := range goodSecrets() {
		writeFile(t, filepath.Join(secretsDir, name), content, 0o400)
	}
	r := runPreflight(t, dir, nil, "--env-file", "prod.env", "--secrets-dir", secretsDir)
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("the preflight executed content of the env file; output:\n%s", r.out)
	}
	if r.code != 1 || !strings.Contains(r.out, "KEY_BACKEND in ") {
		t.Fatalf("exit %d, want 1 with KEY_BACKEND rejected as an unknown backend:\n%s", r.code, r.out)
	}
}

func TestPreflightUsage(t *testing.T) {
	dir := t.TempDir()
	if r := runPreflight(t, dir, nil, "--help"); r.code != 0 || !strings.Contains(r.out, "Usage: scripts/production-preflight.sh") {
		t.Errorf("--help: exit %d:\n%s", r.code, r.out)
	}
	if r := runPreflight(t, dir, nil, "--bogus"); r.code != 2 || !strings.Contains(r.out, "unknown argument \"--bogus\"") {
		t.Errorf("--bogus: exit %d:\n%s", r.code, r.out)
	}
	if r := runPreflight(t, dir, nil, "--env-file", "missing.env"); r.code != 2 || !strings.Contains(r.out, "env file missing.env does not exist") {
		t.Errorf("missing env file: exit %d:\n%s", r.code, r.out)
	}
	// No .env and nothing in the process environment: everything is missing.
	r := runPreflight(t, dir, nil, "--secrets-dir", filepath.Join(dir, "nope"))
	if r.code != 1 || !strings.Contains(r.out, "checking the process environment only") || !strings.Contains(r.out, "secrets directory") {
		t.Errorf("no env file: exit %d:\n%s", r.code, r.out)
	}
}

func TestPreflightIsShellcheckClean(t *testing.T) {
	sc := requireTool(t, "shellcheck")
	r := run(t, repoRoot(t), nil, sc, "--format=gcc", "scripts/production-preflight.sh")
	if r.code != 0 {
		t.Fatalf("shellcheck findings:\n%s", r.out)
	}
}
