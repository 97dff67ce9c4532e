// Package monitoring classifies the YAML files under monitoring/ so that the
// lint stage knows which to give to `promtool check config`, `promtool check
// rules` and `amtool check-config`.
package monitoring

import (
	"path"
	"regexp"
	"sort"
	"strings"
)

// Kind is what a monitoring file is.
type Kind int

// The kinds of file the lint stage checks.
const (
	Other Kind = iota
	PrometheusConfig
	PrometheusRules
	AlertmanagerConfig
	// PrometheusRuleTests are unit tests for alerting rules (promtool test rules).
	PrometheusRuleTests
)

func (k Kind) String() string {
	return [...]string{"other", "prometheus config", "prometheus rules", "alertmanager config", "prometheus rule tests"}[k]
}

var topKey = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*:`)

// TopLevelKeys lists the keys of a YAML mapping at column 0.
func TopLevelKeys(content string) map[string]bool {
	keys := map[string]bool{}
	for _, l := range strings.Split(content, "\n") {
		if m := topKey.FindStringSubmatch(l); m != nil {
			keys[m[1]] = true
		}
	}
	return keys
}

// Classify decides what a file is from its name and top-level keys.
func Classify(name, content string) Kind {
	ext := path.Ext(name)
	if ext != ".yml" && ext != ".yaml" {
		return Other
	}
	k := TopLevelKeys(content)
	switch {
	case k["tests"] && k["rule_files"]:
		return PrometheusRuleTests
	case k["scrape_configs"] || (k["rule_files"] && k["global"]):
		return PrometheusConfig
	case k["groups"] && !k["apiVersion"]:
		return PrometheusRules
	case k["route"] && k["receivers"]:
		return AlertmanagerConfig
	}
	return Other
}

// Files groups file paths by kind, each list sorted.
type Files struct {
	PrometheusConfigs   []string
	RuleFiles           []string
	RuleTests           []string
	AlertmanagerConfigs []string
}

// Empty reports whether nothing is to be checked.
func (f Files) Empty() bool {
	return len(f.PrometheusConfigs)+len(f.RuleFiles)+len(f.RuleTests)+len(f.AlertmanagerConfigs) == 0
}

// Sort sorts each list.
func (f *Files) Sort() {
	sort.Strings(f.PrometheusConfigs)
	sort.Strings(f.RuleFiles)
	sort.Strings(f.RuleTests)
	sort.Strings(f.AlertmanagerConfigs)
}

// Add classifies one file into f.
func (f *Files) Add(name, content string) {
	switch Classify(name, content) {
	case PrometheusConfig:
		f.PrometheusConfigs = append(f.PrometheusConfigs, name)
	case PrometheusRules:
		f.RuleFiles = append(f.RuleFiles, name)
	case AlertmanagerConfig:
		f.AlertmanagerConfigs = append(f.AlertmanagerConfigs, name)
	case PrometheusRuleTests:
		f.RuleTests = append(f.RuleTests, name)
	}
}
