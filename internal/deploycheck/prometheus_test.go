package deploycheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

const (
	rulesFile      = "monitoring/prometheus/rules/connector-alerts.yml"
	ruleTestsFile  = "monitoring/prometheus/tests/connector-alerts.test.yml"
	prometheusFile = "monitoring/prometheus/prometheus.yml"
	alertingGuide  = "docs/operators/alerting-setup-guide.md"
	runbookPrefix  = "https://github.com/m2m-ilp/connector/blob/main/docs/operators/alerting-setup-guide.md#"
)

type alertRule struct {
	Alert       string            `yaml:"alert"`
	Record      string            `yaml:"record"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

type ruleGroups struct {
	Groups []struct {
		Name  string      `yaml:"name"`
		Rules []alertRule `yaml:"rules"`
	} `yaml:"groups"`
}

func loadYAML(t *testing.T, rel string, v any) {
	t.Helper()
	if err := yaml.Unmarshal([]byte(readFile(t, repoPath(t, rel))), v); err != nil {
		t.Fatalf("parse %s: %v", rel, err)
	}
}

func alertRules(t *testing.T) []alertRule {
	t.Helper()
	var g ruleGroups
	loadYAML(t, rulesFile, &g)
	var out []alertRule
	for _, grp := range g.Groups {
		for _, r := range grp.Rules {
			if r.Alert != "" {
				out = append(out, r)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no alert rules", rulesFile)
	}
	return out
}

// githubAnchors returns the anchors GitHub generates for the Markdown
// headings of a document.
func githubAnchors(markdown string) map[string]bool {
	anchors := map[string]bool{}
	strip := regexp.MustCompile(`[^a-z0-9 _-]`)
	for _, line := range strings.Split(markdown, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
		h = strip.ReplaceAllString(h, "")
		anchors[strings.ReplaceAll(h, " ", "-")] = true
	}
	return anchors
}

var camelCase = regexp.MustCompile(`^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$`)

// The receivers each severity must reach (monitoring/alertmanager/alertmanager.yml).
var severityReceiver = map[string]string{"critical": "critical-alerts", "high": "high-alerts", "warning": "default"}

func TestAlertRuleConventions(t *testing.T) {
	guide := readFile(t, repoPath(t, alertingGuide))
	anchors := githubAnchors(guide)
	am := loadAlertmanager(t)
	for _, r := range alertRules(t) {
		if !camelCase.MatchString(r.Alert) {
			t.Errorf("alert %q: name is not CamelCase", r.Alert)
		}
		sev := r.Labels["severity"]
		want, ok := severityReceiver[sev]
		if !ok {
			t.Errorf("alert %s: severity %q is not one of critical, high, warning", r.Alert, sev)
		} else {
			lset := model.LabelSet{"alertname": model.LabelValue(r.Alert), "severity": model.LabelValue(sev)}
			if got := RouteFor(am.Route, lset); len(got) != 1 || got[0] != want {
				t.Errorf("alert %s (severity %s) is routed to %v, want %s", r.Alert, sev, got, want)
			}
		}
		for _, a := range []string{"summary", "description", "runbook_url"} {
			if strings.TrimSpace(r.Annotations[a]) == "" {
				t.Errorf("alert %s: annotation %s is missing", r.Alert, a)
			}
		}
		ru := r.Annotations["runbook_url"]
		if !strings.HasPrefix(ru, runbookPrefix) {
			t.Errorf("alert %s: runbook_url %q does not point at %s", r.Alert, ru, alertingGuide)
			continue
		}
		anchor := strings.TrimPrefix(ru, runbookPrefix)
		if anchor != "runbook-"+strings.ToLower(r.Alert) || !anchors[anchor] {
			t.Errorf("alert %s: runbook_url anchor #%s has no heading \"Runbook: %s\" in %s", r.Alert, anchor, r.Alert, alertingGuide)
		}
		if _, err := url.Parse(ru); err != nil {
			t.Errorf("alert %s: runbook_url: %v", r.Alert, err)
		}
	}
}

// Every alert has a promtool case where it fires and one where it does not.
func TestRuleTestsCoverEveryAlert(t *testing.T) {
	var tests struct {
		RuleFiles []string `yaml:"rule_files"`
		Tests     []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	loadYAML(t, ruleTestsFile, &tests)
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range tests.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				silent[a.Alertname] = true
			}
		}
	}
	for _, r := range alertRules(t) {
		if !fires[r.Alert] {
			t.Errorf("alert %s: no promtool test case where it fires", r.Alert)
		}
		if !silent[r.Alert] {
			t.Errorf("alert %s: no promtool test case where it must not fire", r.Alert)
		}
	}
	if len(tests.RuleFiles) != 1 || filepath.Clean(filepath.Join(filepath.Dir(ruleTestsFile), tests.RuleFiles[0])) != rulesFile {
		t.Errorf("%s tests %v, want %s", ruleTestsFile, tests.RuleFiles, rulesFile)
	}
}

// ConnectorHighMemory compares against the connector's memory limit: the
// number in the rule and the limit in the compose file must agree.
func TestMemoryAlertMatchesComposeLimit(t *testing.T) {
	p, err := LoadCompose(context.Background(), repoPath(t, "docker-compose-production.yml"), prodEnv())
	if err != nil {
		t.Fatal(err)
	}
	limit := int64(p.Services["connector"].Deploy.Resources.Limits.MemoryBytes)
	n := 0
	for _, r := range alertRules(t) {
		if r.Alert != "ConnectorHighMemory" {
			continue
		}
		n++
		if !strings.Contains(r.Expr, fmt.Sprintf("* %d", limit)) {
			t.Errorf("ConnectorHighMemory (%s) expr %q does not compare against the compose limit %d bytes", r.Labels["severity"], r.Expr, limit)
		}
	}
	if n == 0 {
		t.Error("no ConnectorHighMemory rule")
	}
}

func TestPrometheusConfig(t *testing.T) {
	var cfg struct {
		RuleFiles []string `yaml:"rule_files"`
		Alerting  struct {
			Alertmanagers []struct {
				StaticConfigs []struct {
					Targets []string `yaml:"targets"`
				} `yaml:"static_configs"`
			} `yaml:"alertmanagers"`
		} `yaml:"alerting"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	loadYAML(t, prometheusFile, &cfg)

	var amTargets []string
	for _, am := range cfg.Alerting.Alertmanagers {
		for _, sc := range am.StaticConfigs {
			amTargets = append(amTargets, sc.Targets...)
		}
	}
	if strings.Join(amTargets, ",") != "alertmanager:9093" {
		t.Errorf("alerting.alertmanagers targets = %v, want [alertmanager:9093]", amTargets)
	}

	jobs := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		for _, s := range sc.StaticConfigs {
			jobs[sc.JobName] = append(jobs[sc.JobName], s.Targets...)
		}
	}
	if strings.Join(jobs["connector"], ",") != "connector:3000" {
		t.Errorf("job connector scrapes %v, want [connector:3000]", jobs["connector"])
	}
	// Every job an alert selects on is scraped.
	jobRef := regexp.MustCompile(`job=~?"([^"]+)"`)
	for _, r := range alertRules(t) {
		for _, m := range jobRef.FindAllStringSubmatch(r.Expr, -1) {
			for _, j := range strings.Split(m[1], "|") {
				if _, ok := jobs[j]; !ok {
					t.Errorf("alert %s selects job %q, which prometheus.yml does not scrape", r.Alert, j)
				}
			}
		}
	}

	// Each target is a service of the production stack on its port.
	p, err := LoadCompose(context.Background(), repoPath(t, "docker-compose-production.yml"), prodEnv())
	if err != nil {
		t.Fatal(err)
	}
	for job, targets := range jobs {
		for _, target := range append(targets, amTargets...) {
			host := strings.Split(target, ":")[0]
			if host == "localhost" {
				continue
			}
			if _, ok := p.Services[host]; !ok {
				t.Errorf("job %s target %s is not a service of docker-compose-production.yml", job, target)
			}
		}
	}

	// The rule files glob, resolved like Prometheus does (relative to the
	// config file), covers the rules; and compose mounts that directory.
	var matched []string
	for _, g := range cfg.RuleFiles {
		m, _ := filepath.Glob(filepath.Join(repoPath(t, "monitoring", "prometheus"), g))
		matched = append(matched, m...)
	}
	if !contains(matched, repoPath(t, rulesFile)) {
		t.Errorf("rule_files %v do not match %s", cfg.RuleFiles, rulesFile)
	}
	if !mountsDir(p.Services["prometheus"], repoPath(t, "monitoring", "prometheus"), "/etc/prometheus") {
		t.Error("the prometheus service does not mount ./monitoring/prometheus at /etc/prometheus")
	}
	if !mountsDir(p.Services["alertmanager"], repoPath(t, "monitoring", "alertmanager"), "/etc/alertmanager") {
		t.Error("the alertmanager service does not mount ./monitoring/alertmanager at /etc/alertmanager")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mountsDir(s types.ServiceConfig, source, target string) bool {
	for _, v := range s.Volumes {
		if v.Source == source && v.Target == target && v.ReadOnly {
			return true
		}
	}
	return false
}

func TestPromtool(t *testing.T) {
	promtool := requireTool(t, "promtool")
	root := repoRoot(t)
	for _, args := range [][]string{
		{"check", "config", prometheusFile},
		{"check", "rules", rulesFile},
		{"test", "rules", ruleTestsFile},
	} {
		r := run(t, root, nil, promtool, args...)
		if r.code != 0 || !strings.Contains(r.out, "SUCCESS") {
			t.Errorf("promtool %s: exit %d\n%s", strings.Join(args, " "), r.code, r.out)
		}
	}
}

// The promtool unit tests can fail: each mutation of the rules must turn
// them red, naming the alert.
func TestPromtoolRuleTestsCatchBrokenRules(t *testing.T) {
	promtool := requireTool(t, "promtool")
	original := readFile(t, repoPath(t, rulesFile))
	cases := []struct{ name, old, new, alert string }{
		{"error threshold raised", ") > 0.05\n", ") > 0.10\n", "ConnectorHighErrorRate"},
		{"ConnectorDown without for", "        expr: up{job=\"connector\"} == 0\n        for: 1m\n", "        expr: up{job=\"connector\"} == 0\n", "ConnectorDown"},
		{"TigerBeetleUnreachable downgraded", "dependency=\"tigerbeetle\"} == 0\n        for: 1m\n        labels:\n          severity: critical\n", "dependency=\"tigerbeetle\"} == 0\n        for: 1m\n        labels:\n          severity: warning\n", "TigerBeetleUnreachable"},
		{"/health counted as an error", `route!="/health", status=~"5.."`, `status=~"5.."`, "ConnectorHighErrorRate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, repoPath(t, "monitoring", "prometheus"), dir)
			writeFile(t, filepath.Join(dir, "rules", "connector-alerts.yml"), replaceOnce(t, original, c.old, c.new), 0o644)
			r := run(t, dir, nil, promtool, "test", "rules", filepath.Join("tests", "connector-alerts.test.yml"))
			if r.code == 0 || !strings.Contains(r.out, "alertname: "+c.alert) {
				t.Fatalf("promtool test rules did not catch the mutation (exit %d):\n%s", r.code, r.out)
			}
		})
	}
}

func TestGrafanaProvisioning(t *testing.T) {
	var ds struct {
		Datasources []struct {
			Name, UID, Type, URL string
		} `yaml:"datasources"`
	}
	loadYAML(t, "monitoring/grafana/provisioning/datasources/prometheus.yml", &ds)
	uids := map[string]string{}
	for _, d := range ds.Datasources {
		uids[d.UID] = d.URL
	}
	if uids["prometheus"] != "http://prometheus:9090" {
		t.Errorf("datasource uid prometheus -> %q, want http://prometheus:9090", uids["prometheus"])
	}

	var prov struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	loadYAML(t, "monitoring/grafana/provisioning/dashboards/connector.yml", &prov)
	if len(prov.Providers) != 1 {
		t.Fatalf("want one dashboard provider, got %d", len(prov.Providers))
	}
	p, err := LoadCompose(context.Background(), repoPath(t, "docker-compose-production.yml"), prodEnv())
	if err != nil {
		t.Fatal(err)
	}
	g := p.Services["grafana"]
	if !mountsDir(g, repoPath(t, "monitoring", "grafana", "dashboards"), prov.Providers[0].Options.Path) {
		t.Errorf("grafana does not mount ./monitoring/grafana/dashboards at the provider path %s", prov.Providers[0].Options.Path)
	}
	if !mountsDir(g, repoPath(t, "monitoring", "grafana", "provisioning"), "/etc/grafana/provisioning") {
		t.Error("grafana does not mount ./monitoring/grafana/provisioning at /etc/grafana/provisioning")
	}

	// The dashboard: valid JSON, every panel on a provisioned datasource,
	// every query valid PromQL (checked by promtool as recording rules).
	files, _ := filepath.Glob(repoPath(t, "monitoring", "grafana", "dashboards", "*.json"))
	if len(files) == 0 {
		t.Fatal("no dashboard JSON under monitoring/grafana/dashboards")
	}
	var exprs []string
	for _, f := range files {
		var d struct {
			UID    string `json:"uid"`
			Title  string `json:"title"`
			Panels []struct {
				Title      string `json:"title"`
				Datasource struct {
					UID string `json:"uid"`
				} `json:"datasource"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal([]byte(readFile(t, f)), &d); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
			t.Errorf("%s: needs a uid, a title and panels", filepath.Base(f))
		}
		for _, panel := range d.Panels {
			if _, ok := uids[panel.Datasource.UID]; !ok {
				t.Errorf("%s: panel %q uses datasource uid %q, which is not provisioned", filepath.Base(f), panel.Title, panel.Datasource.UID)
			}
			for _, tg := range panel.Targets {
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	sort.Strings(exprs)
	promtool := requireTool(t, "promtool")
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, e := range exprs {
		e = strings.ReplaceAll(e, "$__rate_interval", "5m")
		q, _ := json.Marshal(e)
		fmt.Fprintf(&b, "      - record: dashboard:query_%d\n        expr: %s\n", i, q)
	}
	rules := filepath.Join(t.TempDir(), "dashboard-queries.yml")
	if err := os.WriteFile(rules, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, repoRoot(t), nil, promtool, "check", "rules", rules); r.code != 0 {
		t.Errorf("dashboard queries are not valid PromQL:\n%s", r.out)
	}
}
