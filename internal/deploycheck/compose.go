package deploycheck

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// Finding is one violation of the deployment policy. Service is empty for
// project-wide findings.
type Finding struct {
	Service string
	Message string
}

func (f Finding) String() string {
	if f.Service == "" {
		return f.Message
	}
	return fmt.Sprintf("service %s: %s", f.Service, f.Message)
}

// ProductionServices are the services docker-compose-production.yml must define.
var ProductionServices = []string{"connector", "tigerbeetle", "prometheus", "alertmanager", "grafana"}

// ComposeOptions selects the checks of CheckCompose.
type ComposeOptions struct {
	// Production adds the production-only checks: the required services,
	// NODE_ENV=production and a KMS KEY_BACKEND for the connector, the
	// Grafana admin password from a Docker secret only, file-based secrets
	// under ./secrets/, and every secret file the Alertmanager config reads
	// mounted into the alertmanager service.
	Production bool
	// AlertmanagerSecretFiles are the /run/secrets/... paths that
	// alertmanager.yml reads (see AlertmanagerSecretFiles).
	AlertmanagerSecretFiles []string
}

// LoadCompose loads a compose file the way `docker compose` does
// (interpolation from env, schema validation, YAML anchors and merge keys,
// consistency checks), with its directory as the project directory.
func LoadCompose(ctx context.Context, file string, env map[string]string) (*types.Project, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	content, err := os.ReadFile(abs)
	if err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs, Content: content}},
		Environment: env,
	}
	p, err := loader.LoadWithContext(ctx, details, func(o *loader.Options) {
		o.SetProjectName("deploycheck", true)
		o.ResolvePaths = true
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	return p, nil
}

// trivialHealthchecks are commands that always succeed and so test nothing.
var trivialHealthchecks = map[string]bool{"true": true, "/bin/true": true, ":": true, "exit 0": true, "echo ok": true}

// defaultPasswords are values that must never be an admin password.
var defaultPasswords = map[string]bool{"admin": true, "password": true, "changeme": true, "grafana": true, "secret": true}

// CheckCompose applies the deployment policy to a loaded project and returns
// the findings sorted by service, or none.
func CheckCompose(p *types.Project, opts ComposeOptions) []Finding {
	var out []Finding
	add := func(service, format string, args ...any) {
		out = append(out, Finding{Service: service, Message: fmt.Sprintf(format, args...)})
	}

	names := make([]string, 0, len(p.Services))
	for name := range p.Services {
		names = append(names, name)
	}
	sort.Strings(names)

	for _, name := range names {
		s := p.Services[name]
		checkResources(s, func(format string, args ...any) { add(name, format, args...) })

		if !hasHealthcheck(s) {
			add(name, "no healthcheck: add one that probes the service (an HTTP endpoint or its port), so depends_on can wait for service_healthy")
		} else if test := healthcheckCommand(s.HealthCheck.Test); trivialHealthchecks[test] {
			add(name, "healthcheck %q always succeeds: make it probe the service", test)
		}

		if s.Restart != types.RestartPolicyUnlessStopped && s.Restart != types.RestartPolicyAlways {
			add(name, "restart policy %q: set restart: unless-stopped", s.Restart)
		}
		if s.Privileged {
			add(name, "privileged: true: grant the single capability it needs with cap_add instead")
		}

		deps := make([]string, 0, len(s.DependsOn))
		for dep := range s.DependsOn {
			deps = append(deps, dep)
		}
		sort.Strings(deps)
		for _, dep := range deps {
			cond := s.DependsOn[dep].Condition
			target, ok := p.Services[dep]
			if ok && hasHealthcheck(target) && cond != types.ServiceConditionHealthy {
				add(name, "depends_on %s with condition %q, but %s has a healthcheck: use condition: service_healthy", dep, cond, dep)
			}
		}
	}

	if opts.Production {
		out = append(out, checkProduction(p, opts)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Service < out[j].Service })
	return out
}

func checkResources(s types.ServiceConfig, add func(string, ...any)) {
	if s.Deploy == nil || s.Deploy.Resources.Limits == nil {
		add("no deploy.resources.limits: set cpus and memory limits")
	} else {
		if s.Deploy.Resources.Limits.NanoCPUs <= 0 {
			add("no CPU limit: set deploy.resources.limits.cpus")
		}
		if s.Deploy.Resources.Limits.MemoryBytes <= 0 {
			add("no memory limit: set deploy.resources.limits.memory")
		}
	}
	if s.Deploy == nil || s.Deploy.Resources.Reservations == nil {
		add("no deploy.resources.reservations: set cpus and memory reservations")
		return
	}
	r := s.Deploy.Resources.Reservations
	if r.NanoCPUs <= 0 {
		add("no CPU reservation: set deploy.resources.reservations.cpus")
	}
	if r.MemoryBytes <= 0 {
		add("no memory reservation: set deploy.resources.reservations.memory")
	}
	if l := s.Deploy.Resources.Limits; l != nil {
		if l.MemoryBytes > 0 && r.MemoryBytes > l.MemoryBytes {
			add("memory reservation %s is above the limit %s", bytesString(int64(r.MemoryBytes)), bytesString(int64(l.MemoryBytes)))
		}
		if l.NanoCPUs > 0 && r.NanoCPUs > l.NanoCPUs {
			add("CPU reservation %v is above the limit %v", r.NanoCPUs.Value(), l.NanoCPUs.Value())
		}
	}
}

func hasHealthcheck(s types.ServiceConfig) bool {
	h := s.HealthCheck
	return h != nil && !h.Disable && len(h.Test) > 0 && h.Test[0] != "NONE"
}

// healthcheckCommand is the command of a healthcheck test without its
// CMD/CMD-SHELL marker.
func healthcheckCommand(test types.HealthCheckTest) string {
	if len(test) > 0 && (test[0] == "CMD" || test[0] == "CMD-SHELL") {
		test = test[1:]
	}
	return strings.TrimSpace(strings.Join(test, " "))
}

func bytesString(b int64) string {
	const mi = 1 << 20
	if b%(1<<30) == 0 {
		return fmt.Sprintf("%dG", b>>30)
	}
	return fmt.Sprintf("%dM", b/mi)
}

func env(s types.ServiceConfig, name string) (string, bool) {
	v, ok := s.Environment[name]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

func checkProduction(p *types.Project, opts ComposeOptions) []Finding {
	var out []Finding
	add := func(service, format string, args ...any) {
		out = append(out, Finding{Service: service, Message: fmt.Sprintf(format, args...)})
	}
	for _, name := range ProductionServices {
		if _, ok := p.Services[name]; !ok {
			add("", "no %s service: docker-compose-production.yml must run %s", name, strings.Join(ProductionServices, ", "))
		}
	}

	if c, ok := p.Services["connector"]; ok {
		if v, _ := env(c, "NODE_ENV"); v != "production" {
			add("connector", "NODE_ENV is %q: set NODE_ENV: production", v)
		}
		switch v, _ := env(c, "KEY_BACKEND"); v {
		case "":
			add("connector", "KEY_BACKEND is empty: require it with ${KEY_BACKEND:?...} so compose refuses to start without a KMS backend")
		case "env":
			add("connector", "KEY_BACKEND resolves to \"env\" (development only): require a KMS backend with ${KEY_BACKEND:?...} and no default")
		}
		if c.Init == nil || !*c.Init {
			add("connector", "init is not true: set init: true so PID 1 reaps zombies and forwards SIGTERM")
		}
	}

	if g, ok := p.Services["grafana"]; ok {
		if v, set := env(g, "GF_SECURITY_ADMIN_PASSWORD"); set {
			if defaultPasswords[strings.ToLower(v)] {
				add("grafana", "GF_SECURITY_ADMIN_PASSWORD is a default password: read it from a Docker secret with GF_SECURITY_ADMIN_PASSWORD__FILE")
			} else {
				add("grafana", "GF_SECURITY_ADMIN_PASSWORD is set in the environment: in production read it from a Docker secret with GF_SECURITY_ADMIN_PASSWORD__FILE")
			}
		}
		file, set := env(g, "GF_SECURITY_ADMIN_PASSWORD__FILE")
		if !set || file == "" {
			add("grafana", "no GF_SECURITY_ADMIN_PASSWORD__FILE: without it Grafana starts with its built-in admin/admin; set it to /run/secrets/grafana_admin_password and mount that secret")
		} else if !mountsSecret(g, file) {
			add("grafana", "GF_SECURITY_ADMIN_PASSWORD__FILE is %s, but no secret of the service is mounted there: add the secret to the service's secrets", file)
		}
	}

	if am, ok := p.Services["alertmanager"]; ok {
		for _, f := range opts.AlertmanagerSecretFiles {
			if !mountsSecret(am, f) {
				add("alertmanager", "alertmanager.yml reads %s, but no secret is mounted there: add %s to the service's secrets and to the top-level secrets", f, path.Base(f))
			}
		}
	}

	secretsDir := filepath.Join(p.WorkingDir, "secrets")
	names := make([]string, 0, len(p.Secrets))
	for name := range p.Secrets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := p.Secrets[name]
		switch {
		case s.Environment != "" || s.Content != "":
			add("", "secret %s comes from an environment value or inline content: use file: ./secrets/%s", name, name)
		case bool(s.External):
			// Provided by the platform: fine.
		case s.File == "":
			add("", "secret %s has no source: use file: ./secrets/%s", name, name)
		case filepath.Dir(s.File) != secretsDir:
			add("", "secret %s is read from %s, outside ./secrets/ (the gitignored directory the preflight checks): move it to ./secrets/%s", name, s.File, name)
		}
	}
	return out
}

// mountsSecret reports whether service s mounts one of its secrets at target.
func mountsSecret(s types.ServiceConfig, target string) bool {
	for _, sec := range s.Secrets {
		t := sec.Target
		if t == "" {
			t = sec.Source
		}
		if !strings.HasPrefix(t, "/") {
			t = "/run/secrets/" + t
		}
		if t == target {
			return true
		}
	}
	return false
}

// AlertmanagerSecretFiles lists the values of every *_file setting of an
// Alertmanager configuration (api_url_file, routing_key_file,
// smtp_auth_password_file, ...), sorted and without duplicates.
func AlertmanagerSecretFiles(configPath string) ([]string, error) {
	b, err := os.ReadFile(configPath)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", configPath, err)
	}
	seen := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if strings.HasSuffix(k.Value, "_file") && v.Kind == yaml.ScalarNode && v.Value != "" {
					seen[v.Value] = true
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
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out, nil
}
