package deploycheck

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/template"
	"github.com/prometheus/alertmanager/types"
	"github.com/prometheus/common/model"
)

func loadAlertmanager(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.LoadFile(repoPath(t, "monitoring", "alertmanager", "alertmanager.yml"))
	if err != nil {
		t.Fatalf("monitoring/alertmanager/alertmanager.yml does not load with Alertmanager v0.25's config package: %v", err)
	}
	return c
}

func receiver(c *config.Config, name string) *config.Receiver {
	for i := range c.Receivers {
		if c.Receivers[i].Name == name {
			return c.Receivers[i]
		}
	}
	return nil
}

func TestAlertmanagerRouting(t *testing.T) {
	c := loadAlertmanager(t)
	if c.Global.ResolveTimeout != model.Duration(5*time.Minute) {
		t.Errorf("global resolve_timeout = %v, want 5m", c.Global.ResolveTimeout)
	}
	cases := []struct {
		labels model.LabelSet
		want   string
	}{
		{model.LabelSet{"alertname": "ConnectorDown", "severity": "critical", "instance": "connector:3000"}, "critical-alerts"},
		{model.LabelSet{"alertname": "TigerBeetleUnreachable", "severity": "critical"}, "critical-alerts"},
		{model.LabelSet{"alertname": "ConnectorHighErrorRate", "severity": "high"}, "high-alerts"},
		{model.LabelSet{"alertname": "ConnectorHighLatency", "severity": "warning"}, "default"},
		{model.LabelSet{"alertname": "SomethingUnlabelled"}, "default"},
	}
	for _, tc := range cases {
		got := RouteFor(c.Route, tc.labels)
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("alert %v is routed to %v, want [%s]", tc.labels, got, tc.want)
		}
	}
	// The deprecated match:/match_re: syntax is not used anywhere.
	var walk func(r *config.Route)
	walk = func(r *config.Route) {
		if len(r.Match) > 0 || len(r.MatchRE) > 0 {
			t.Errorf("route to %s uses deprecated match/match_re: use matchers", r.Receiver)
		}
		for _, ch := range r.Routes {
			walk(ch)
		}
	}
	walk(c.Route)
	for i, r := range c.InhibitRules {
		if len(r.SourceMatch)+len(r.SourceMatchRE)+len(r.TargetMatch)+len(r.TargetMatchRE) > 0 {
			t.Errorf("inhibit rule %d uses deprecated source_match/target_match: use source_matchers/target_matchers", i)
		}
	}
}

func TestAlertmanagerReceiversReadSecretsFromFiles(t *testing.T) {
	c := loadAlertmanager(t)
	crit := receiver(c, "critical-alerts")
	if crit == nil || len(crit.PagerdutyConfigs) != 1 || len(crit.SlackConfigs) != 1 {
		t.Fatalf("receiver critical-alerts must page through PagerDuty and post to Slack: %+v", crit)
	}
	high := receiver(c, "high-alerts")
	if high == nil || len(high.SlackConfigs) != 1 || len(high.PagerdutyConfigs) != 0 {
		t.Fatalf("receiver high-alerts must post to Slack only: %+v", high)
	}
	def := receiver(c, "default")
	if def == nil || len(def.EmailConfigs) != 1 {
		t.Fatalf("receiver default must send email: %+v", def)
	}

	for _, pd := range crit.PagerdutyConfigs {
		if pd.RoutingKey != "" || pd.ServiceKey != "" || pd.RoutingKeyFile != "/run/secrets/pagerduty_routing_key" {
			t.Errorf("PagerDuty key must come from routing_key_file /run/secrets/pagerduty_routing_key, got file %q (inline set: %v)", pd.RoutingKeyFile, pd.RoutingKey != "")
		}
		if !pd.SendResolved() {
			t.Error("PagerDuty must send resolved notifications (incidents close themselves)")
		}
	}
	for _, r := range []*config.Receiver{crit, high} {
		for _, s := range r.SlackConfigs {
			if s.APIURL != nil || s.APIURLFile != "/run/secrets/slack_webhook_url" {
				t.Errorf("receiver %s: Slack webhook must come from api_url_file /run/secrets/slack_webhook_url, got %q", r.Name, s.APIURLFile)
			}
		}
	}
	for _, e := range def.EmailConfigs {
		if e.AuthPassword != "" || e.AuthPasswordFile != "/run/secrets/smtp_auth_password" {
			t.Errorf("email password must come from smtp_auth_password_file, got %q", e.AuthPasswordFile)
		}
		if e.Smarthost.String() == "" || e.From == "" {
			t.Error("email needs a smarthost and a from address (global SMTP template)")
		}
	}

	inline, err := InlineSecrets(repoPath(t, "monitoring", "alertmanager", "alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inline) > 0 {
		t.Errorf("alertmanager.yml holds secrets inline: %v", inline)
	}
}

// InlineSecrets must catch a secret pasted into the file.
func TestInlineSecretsFindsPastedSecrets(t *testing.T) {
	dir := t.TempDir()
	src := readFile(t, repoPath(t, "monitoring", "alertmanager", "alertmanager.yml"))
	mutated := replaceOnce(t, src, "      - routing_key_file: /run/secrets/pagerduty_routing_key\n", "      - routing_key: 0123456789abcdef0123456789abcdef\n")
	mutated = replaceOnce(t, mutated, "  smtp_auth_password_file: /run/secrets/smtp_auth_password\n", "  smtp_auth_password: hunter2hunter2\n")
	file := filepath.Join(dir, "alertmanager.yml")
	writeFile(t, file, mutated, 0o644)
	inline, err := InlineSecrets(file)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(inline, "; ")
	if len(inline) != 2 || !strings.Contains(got, "routing_key at line") || !strings.Contains(got, "smtp_auth_password at line") {
		t.Fatalf("InlineSecrets = %v, want routing_key and smtp_auth_password", inline)
	}
}

func TestAlertmanagerInhibition(t *testing.T) {
	c := loadAlertmanager(t)
	a := func(name, sev, inst string) model.LabelSet {
		return model.LabelSet{"alertname": model.LabelValue(name), "severity": model.LabelValue(sev), "instance": model.LabelValue(inst)}
	}
	cases := []struct {
		name           string
		source, target model.LabelSet
		want           bool
	}{
		{"critical inhibits warning of the same alert and instance", a("ConnectorHighMemory", "critical", "c:3000"), a("ConnectorHighMemory", "warning", "c:3000"), true},
		{"critical inhibits high of the same alert and instance", a("ConnectorHighMemory", "critical", "c:3000"), a("ConnectorHighMemory", "high", "c:3000"), true},
		{"high inhibits warning of the same alert and instance", a("ConnectorHighMemory", "high", "c:3000"), a("ConnectorHighMemory", "warning", "c:3000"), true},
		{"not across instances", a("ConnectorHighMemory", "high", "c:3000"), a("ConnectorHighMemory", "warning", "b:3000"), false},
		{"not across alert names", a("ConnectorDown", "critical", "c:3000"), a("ConnectorHighLatency", "warning", "c:3000"), false},
		{"warning never inhibits critical", a("ConnectorHighMemory", "warning", "c:3000"), a("ConnectorHighMemory", "critical", "c:3000"), false},
		{"TigerBeetle down inhibits the error rate it causes", a("TigerBeetleUnreachable", "critical", "c:3000"), a("ConnectorHighErrorRate", "high", "c:3000"), true},
		{"TigerBeetle down inhibits the latency it causes", a("TigerBeetleUnreachable", "critical", "c:3000"), a("ConnectorHighLatency", "warning", "c:3000"), true},
		{"TigerBeetle down does not hide another connector's errors", a("TigerBeetleUnreachable", "critical", "c:3000"), a("ConnectorHighErrorRate", "high", "b:3000"), false},
		{"TigerBeetle down does not hide ConnectorDown", a("TigerBeetleUnreachable", "critical", "c:3000"), a("ConnectorDown", "critical", "c:3000"), false},
	}
	for _, tc := range cases {
		if got := Inhibits(c, tc.source, tc.target); got != tc.want {
			t.Errorf("%s: Inhibits = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Every template the receivers use is defined and renders a realistic
// notification (Alertmanager's own template engine and functions).
func TestAlertmanagerTemplatesRender(t *testing.T) {
	tmpl, err := template.FromGlobs(repoPath(t, "monitoring", "alertmanager", "templates", "*.tmpl"))
	if err != nil {
		t.Fatalf("templates do not parse: %v", err)
	}
	tmpl.ExternalURL = mustURL(t, "http://alertmanager.example.com:9093")
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	alert := func(inst string, ends time.Time) *types.Alert {
		return &types.Alert{Alert: model.Alert{
			Labels: model.LabelSet{"alertname": "ConnectorDown", "severity": "critical", "instance": model.LabelValue(inst), "job": "connector"},
			Annotations: model.LabelSet{
				"summary":     model.LabelValue("Connector " + inst + " is down"),
				"description": "Prometheus has failed to scrape the connector.",
				"runbook_url": "https://example.com/runbook#connectordown",
			},
			StartsAt: start, EndsAt: ends,
		}}
	}
	firing := tmpl.Data("critical-alerts", model.LabelSet{"alertname": "ConnectorDown", "instance": "connector:3000"},
		alert("connector:3000", time.Time{}), alert("connector-b:3000", start.Add(-time.Minute)))

	for name, want := range map[string][]string{
		"connector.slack.title":           {"[FIRING:1] ConnectorDown (critical)"},
		"connector.slack.text":            {"*Connector connector:3000 is down*", "Runbook: https://example.com/runbook#connectordown", "Resolved: Connector connector-b:3000 is down"},
		"connector.slack.color":           {"danger"},
		"connector.pagerduty.description": {"[FIRING:1] ConnectorDown: Connector connector", "(2 alerts in group)"},
		"connector.pagerduty.firing":      {"- Connector connector:3000 is down: Prometheus has failed"},
		"connector.email.subject":         {"[FIRING:1] [critical] ConnectorDown - M2M ILP Connector"},
		"connector.email.text":            {"Firing alerts:", "Resolved alerts:", "Alertmanager: http://alertmanager.example.com:9093"},
	} {
		out, err := tmpl.ExecuteTextString(`{{ template "`+name+`" . }}`, firing)
		if err != nil {
			t.Errorf("template %s: %v", name, err)
			continue
		}
		if name == "connector.slack.text" && !strings.HasPrefix(out, ":rotating_light: *Connector") {
			t.Errorf("Slack text should start with the first firing alert, got %q", out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("template %s does not contain %q:\n%s", name, w, out)
			}
		}
	}
	html, err := tmpl.ExecuteHTMLString(`{{ template "connector.email.html" . }}`, firing)
	if err != nil || !strings.Contains(html, `<a href="https://example.com/runbook#connectordown">Runbook</a>`) {
		t.Errorf("connector.email.html: %v\n%s", err, html)
	}

	// Every template alertmanager.yml references is defined.
	cfg := readFile(t, repoPath(t, "monitoring", "alertmanager", "alertmanager.yml"))
	for _, part := range strings.Split(cfg, `{{ template "`)[1:] {
		name := part[:strings.Index(part, `"`)]
		if _, err := tmpl.ExecuteTextString(`{{ template "`+name+`" . }}`, firing); err != nil {
			t.Errorf("alertmanager.yml uses template %q: %v", name, err)
		}
	}
}

func TestAmtoolCheckConfig(t *testing.T) {
	amtool := requireTool(t, "amtool")
	r := run(t, repoRoot(t), nil, amtool, "check-config", "monitoring/alertmanager/alertmanager.yml")
	if r.code != 0 || !strings.Contains(r.out, "SUCCESS") {
		t.Fatalf("amtool check-config: exit %d\n%s", r.code, r.out)
	}

	// The check can fail: a route to a receiver that does not exist.
	dir := t.TempDir()
	copyTree(t, repoPath(t, "monitoring", "alertmanager"), dir)
	file := filepath.Join(dir, "alertmanager.yml")
	writeFile(t, file, replaceOnce(t, readFile(t, file), "      receiver: high-alerts\n", "      receiver: hihg-alerts\n"), 0o644)
	r = run(t, dir, nil, amtool, "check-config", file)
	if r.code == 0 || !strings.Contains(r.out, "hihg-alerts") {
		t.Fatalf("amtool accepted a route to an undefined receiver: exit %d\n%s", r.code, r.out)
	}
}

// amtool's own routing agrees with RouteFor for each severity.
func TestAmtoolRoutesTest(t *testing.T) {
	amtool := requireTool(t, "amtool")
	for sev, want := range map[string]string{"critical": "critical-alerts", "high": "high-alerts", "warning": "default"} {
		r := run(t, repoRoot(t), nil, amtool, "config", "routes", "test",
			"--config.file=monitoring/alertmanager/alertmanager.yml", "--verify.receivers="+want, "severity="+sev, "alertname=X")
		if r.code != 0 {
			t.Errorf("severity=%s: amtool config routes test --verify.receivers=%s: exit %d\n%s", sev, want, r.code, r.out)
		}
	}
}
