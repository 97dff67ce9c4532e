package monitoring

import "testing"

func TestClassify(t *testing.T) {
	cases := []struct {
		name, content string
		want          Kind
	}{
		{"monitoring/prometheus/prometheus.yml", "global:\n  scrape_interval: 15s\nrule_files:\n  - alerts.yml\nscrape_configs:\n  - job_name: c\n", PrometheusConfig},
		{"monitoring/prometheus/alerts.yml", "# rules\ngroups:\n  - name: connector\n    rules: []\n", PrometheusRules},
		{"monitoring/alertmanager/alertmanager.yml", "global:\n  resolve_timeout: 5m\nroute:\n  receiver: default\nreceivers:\n  - name: default\n", AlertmanagerConfig},
		{"monitoring/prometheus/tests/alerts.test.yml", "rule_files:\n  - ../rules/connector-alerts.yml\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n", PrometheusRuleTests},
		{"monitoring/grafana/provisioning/dashboards/d.yml", "apiVersion: 1\nproviders:\n  - name: x\n", Other},
		{"monitoring/grafana/x.yaml", "apiVersion: 1\ngroups:\n  - name: grafana-alerting\n", Other},
		{"monitoring/prometheus/README.md", "groups:\n", Other},
		{"monitoring/x.yml", "  groups:\n", Other},
	}
	for _, c := range cases {
		if got := Classify(c.name, c.content); got != c.want {
			t.Errorf("Classify(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFiles(t *testing.T) {
	var f Files
	if !f.Empty() {
		t.Fatal("new Files not empty")
	}
	f.Add("b.yml", "groups: []\n")
	f.Add("a.yml", "groups: []\n")
	f.Add("p.yml", "scrape_configs: []\n")
	f.Add("t.yml", "rule_files: [a.yml]\ntests: []\n")
	f.Sort()
	if f.Empty() || len(f.RuleFiles) != 2 || f.RuleFiles[0] != "a.yml" || len(f.PrometheusConfigs) != 1 || len(f.RuleTests) != 1 {
		t.Fatalf("got %+v", f)
	}
}
