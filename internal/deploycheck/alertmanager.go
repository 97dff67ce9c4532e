package deploycheck

import (
	"fmt"
	"os"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// RouteFor returns the receivers an alert with the given labels is sent to by
// the routing tree, as Alertmanager's dispatcher walks it: a route matches
// when all its matchers do; the first matching child wins unless it has
// continue: true; when no child matches, the route itself takes the alert.
// Only the matchers: syntax is supported (match:/match_re: are deprecated
// and not used by this project).
func RouteFor(root *config.Route, lset model.LabelSet) []string {
	var out []string
	var walk func(r *config.Route, inherited string) bool
	walk = func(r *config.Route, inherited string) bool {
		if !matchersMatch(r.Matchers, lset) {
			return false
		}
		recv := r.Receiver
		if recv == "" {
			recv = inherited
		}
		matched := false
		for _, child := range r.Routes {
			if walk(child, recv) {
				matched = true
				if !child.Continue {
					break
				}
			}
		}
		if !matched {
			out = append(out, recv)
		}
		return true
	}
	walk(root, root.Receiver)
	return out
}

// Inhibits reports whether a firing source alert inhibits target under the
// configuration's inhibit rules.
func Inhibits(c *config.Config, source, target model.LabelSet) bool {
	for _, r := range c.InhibitRules {
		if !matchersMatch(r.SourceMatchers, source) || !matchersMatch(r.TargetMatchers, target) {
			continue
		}
		equal := true
		for _, l := range r.Equal {
			if source[model.LabelName(l)] != target[model.LabelName(l)] {
				equal = false
				break
			}
		}
		if equal {
			return true
		}
	}
	return false
}

func matchersMatch(ms config.Matchers, lset model.LabelSet) bool {
	return labels.Matchers(ms).Matches(lset)
}

// inlineSecretKeys are Alertmanager settings that hold a secret value inline;
// each has a *_file twin that must be used instead.
var inlineSecretKeys = map[string]bool{
	"smtp_auth_password": true, "smtp_auth_secret": true, "auth_password": true, "auth_secret": true,
	"slack_api_url": true, "api_url": true, "routing_key": true, "service_key": true,
	"api_key": true, "api_secret": true, "token": true, "bot_token": true, "password": true,
	"pagerduty_url": false, // an endpoint, not a secret
}

// InlineSecrets lists the settings of an Alertmanager configuration that
// hold a secret inline (api_url, routing_key, smtp_auth_password, ...), as
// "key at line N"; secrets belong in files (*_file) mounted as Docker secrets.
// Endpoint URLs of self-hosted services (opsgenie/victorops/wechat api_url)
// count too: configure them through the *_file twin or the global section.
func InlineSecrets(configPath string) ([]string, error) {
	b, err := os.ReadFile(configPath)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", configPath, err)
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if inlineSecretKeys[k.Value] && v.Kind == yaml.ScalarNode && v.Value != "" {
					out = append(out, fmt.Sprintf("%s at line %d", k.Value, k.Line))
				}
				walk(v)
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return out, nil
}
