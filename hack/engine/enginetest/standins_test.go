package enginetest

// Checks of the stand-in images of test/images/ (grafana, tigerbeetle, alpine) through the engine, the
// way docker-compose-production.yml uses them: the image references, entrypoints, commands,
// environment, secrets and healthchecks are read from the compose file, not restated here.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
	"gopkg.in/yaml.v3"
)

const standInLabel = "stand-in for tests"

type composeService struct {
	Image       string            `yaml:"image"`
	Entrypoint  []string          `yaml:"entrypoint"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Secrets     []string          `yaml:"secrets"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

// productionService returns one service of docker-compose-production.yml with Compose's variable
// interpolation applied, using vars as the environment.
func productionService(t *testing.T, name string, vars map[string]string) composeService {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "docker-compose-production.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("parse docker-compose-production.yml: %v", err)
	}
	s, ok := f.Services[name]
	if !ok {
		t.Fatalf("docker-compose-production.yml has no service %q", name)
	}
	in := func(v string) string {
		out, err := interpolate(v, vars)
		if err != nil {
			t.Fatalf("service %s: %v", name, err)
		}
		return out
	}
	s.Image = in(s.Image)
	for i := range s.Entrypoint {
		s.Entrypoint[i] = in(s.Entrypoint[i])
	}
	for i := range s.Command {
		s.Command[i] = in(s.Command[i])
	}
	for k, v := range s.Environment {
		s.Environment[k] = in(v)
	}
	for i := range s.Volumes {
		s.Volumes[i] = in(s.Volumes[i])
	}
	for i := range s.Healthcheck.Test {
		s.Healthcheck.Test[i] = in(s.Healthcheck.Test[i])
	}
	return s
}

var interpolation = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate applies Compose's rules: $$ is a literal $, ${VAR}, $VAR, ${VAR:-default},
// ${VAR-default}, ${VAR:?error} and ${VAR?error}.
func interpolate(s string, vars map[string]string) (string, error) {
	var failure error
	out := interpolation.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		g := interpolation.FindStringSubmatch(m)
		name, op, arg := g[1], g[2], g[3]
		if name == "" {
			name = g[4]
		}
		v, set := vars[name]
		empty := !set || (strings.HasPrefix(op, ":") && v == "")
		switch {
		case strings.HasSuffix(op, "-") && (empty || !set):
			return arg
		case strings.HasSuffix(op, "?") && (empty || !set):
			failure = fmt.Errorf("required variable %s is missing: %s", name, arg)
			return ""
		}
		return v
	})
	return out, failure
}

// shellQuote quotes args for a POSIX shell command line.
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// healthcheckRounds runs main ("$@") in the background `rounds` times and, each time, the compose
// healthcheck command until it succeeds, as Docker would, then stops main. It prints "healthy N" per
// round and exits 1 with main's output when main dies or the check never passes within 60 s.
func healthcheckRounds(test []string, rounds int) string {
	if len(test) == 0 || test[0] != "CMD" {
		panic(fmt.Sprintf("healthcheck test %q: only the CMD form is supported here", test))
	}
	return fmt.Sprintf(`set -u
round=1
while [ "$round" -le %d ]; do
  "$@" >/tmp/main.log 2>&1 &
  pid=$!
  i=0
  until %s >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "main exited before healthy"; cat /tmp/main.log; exit 1; fi
    i=$((i+1))
    if [ "$i" -ge 120 ]; then echo "unhealthy after 60 s"; cat /tmp/main.log; exit 1; fi
    sleep 0.5
  done
  echo "healthy $round"
  kill "$pid"
  wait "$pid" || true
  round=$((round+1))
done
`, rounds, shellQuote(test[1:]))
}

func requireStandIn(ctx context.Context, t *testing.T, ctr *dagger.Container, ref string) {
	t.Helper()
	desc, err := ctr.Label(ctx, "org.opencontainers.image.description")
	if err != nil {
		t.Fatalf("%s: read labels: %v", ref, err)
	}
	if desc != standInLabel {
		t.Fatalf("%s: label org.opencontainers.image.description = %q, want %q (is the local registry serving test/images?)", ref, desc, standInLabel)
	}
}

// grafanaContainer is the production grafana service: image, environment, bind mounts from the
// repository and the admin password as a file secret readable by the container's user.
func grafanaContainer(t *testing.T, c *dagger.Client, svc composeService, password string) *dagger.Container {
	t.Helper()
	root := repoRoot(t)
	ctr := c.Container().From(svc.Image)
	keys := make([]string, 0, len(svc.Environment))
	for k := range svc.Environment {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		ctr = ctr.WithEnvVariable(k, svc.Environment[k])
	}
	for _, v := range svc.Volumes {
		parts := strings.Split(v, ":")
		if !strings.HasPrefix(parts[0], "./") {
			continue // named volume: the image's directory stands in for it
		}
		ctr = ctr.WithMountedDirectory(parts[1], c.Host().Directory(filepath.Join(root, parts[0])))
	}
	for _, s := range svc.Secrets {
		if s != "grafana_admin_password" {
			t.Fatalf("grafana uses secret %q, which this test does not know", s)
		}
		ctr = ctr.WithMountedSecret("/run/secrets/"+s, c.SetSecret("standins-"+s, password+"\n"),
			dagger.ContainerWithMountedSecretOpts{Owner: "472", Mode: 0o400})
	}
	return ctr
}

func TestGrafanaStandIn(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	svc := productionService(t, "grafana", map[string]string{})
	if svc.Environment["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "" {
		t.Fatal("the production grafana service no longer reads GF_SECURITY_ADMIN_PASSWORD__FILE; update this test")
	}
	password := fmt.Sprintf("standins-%d", time.Now().UnixNano())
	base := grafanaContainer(t, c, svc, password)
	requireStandIn(ctx, t, base, svc.Image)

	t.Run("compose healthcheck", func(t *testing.T) {
		out, err := base.WithEnvVariable("CACHE_BUSTER", time.Now().String()).
			WithExec(append([]string{"sh", "-c", healthcheckRounds(svc.Healthcheck.Test, 1), "sh", "/run.sh"}, svc.Command...)).
			Stdout(ctx)
		if err != nil {
			t.Fatalf("healthcheck %q against /run.sh: %v", svc.Healthcheck.Test, err)
		}
		if strings.TrimSpace(out) != "healthy 1" {
			t.Fatalf("healthcheck output %q", out)
		}
	})

	t.Run("API with the password file", func(t *testing.T) {
		grafana := base.WithExposedPort(3000).AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true})
		script := `
const base = "http://grafana:3000";
const auth = (p) => ({ authorization: "Basic " + Buffer.from("admin:" + p).toString("base64") });
const out = {};
const h = await fetch(base + "/api/health");
out.health = { status: h.status, body: await h.json() };
out.noAuth = (await fetch(base + "/api/datasources")).status;
out.wrong = (await fetch(base + "/api/datasources", { headers: auth("not-" + process.env.GF_PW) })).status;
const ds = await fetch(base + "/api/datasources", { headers: auth(process.env.GF_PW) });
out.datasources = { status: ds.status, names: ds.ok ? (await ds.json()).map((d) => d.name) : [] };
const s = await fetch(base + "/api/search?type=dash-db", { headers: auth(process.env.GF_PW) });
out.search = { status: s.status, titles: s.ok ? (await s.json()).map((d) => d.title) : [] };
console.log(JSON.stringify(out));
`
		raw, err := c.Container().From("node:22-alpine").
			WithServiceBinding("grafana", grafana).
			WithSecretVariable("GF_PW", c.SetSecret("standins-grafana-pw", password)).
			WithEnvVariable("CACHE_BUSTER", time.Now().String()).
			WithExec([]string{"node", "--input-type=module", "-e", script}).
			Stdout(ctx)
		if err != nil {
			t.Fatalf("client against the grafana service: %v", err)
		}
		var got struct {
			Health struct {
				Status int
				Body   struct{ Database, Version string }
			}
			NoAuth, Wrong int
			Datasources   struct {
				Status int
				Names  []string
			}
			Search struct {
				Status int
				Titles []string
			}
		}
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("client output %q: %v", raw, err)
		}
		t.Logf("grafana answered: %s", strings.TrimSpace(raw))
		tag := svc.Image[strings.LastIndex(svc.Image, ":")+1:]
		if got.Health.Status != 200 || got.Health.Body.Database != "ok" || got.Health.Body.Version != tag {
			t.Errorf("/api/health = %d %+v, want 200 database ok version %s", got.Health.Status, got.Health.Body, tag)
		}
		if got.NoAuth != 401 || got.Wrong != 401 {
			t.Errorf("/api/datasources without auth = %d, with a wrong password = %d; want 401 and 401", got.NoAuth, got.Wrong)
		}
		if got.Datasources.Status != 200 || !slices.Contains(got.Datasources.Names, "Prometheus") {
			t.Errorf("/api/datasources with the password file's password = %d %q, want 200 with Prometheus (monitoring/grafana/provisioning/datasources)", got.Datasources.Status, got.Datasources.Names)
		}
		want := dashboardTitles(t)
		if got.Search.Status != 200 || !slices.Equal(got.Search.Titles, want) {
			t.Errorf("/api/search?type=dash-db = %d %q, want 200 %q (monitoring/grafana/dashboards)", got.Search.Status, got.Search.Titles, want)
		}
	})
}

// dashboardTitles lists the titles of monitoring/grafana/dashboards/*.json, sorted as Grafana's search sorts them.
func dashboardTitles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "monitoring", "grafana", "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards under monitoring/grafana/dashboards: %v", err)
	}
	var titles []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ Title string }
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		titles = append(titles, d.Title)
	}
	slices.SortFunc(titles, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return titles
}

func TestTigerBeetleStandIn(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// TIGERBEETLE_CLUSTER_ID is required (no default); TIGERBEETLE_CACHE_GRID keeps its default.
	svc := productionService(t, "tigerbeetle", map[string]string{"TIGERBEETLE_CLUSTER_ID": "170141183460469231731687303715884105727"})
	tb := c.Container().From(svc.Image)
	requireStandIn(ctx, t, tb, svc.Image)
	// The production service mounts a volume at /data; a fresh cache volume per run stands in for it.
	fresh := func() *dagger.Container {
		return tb.WithMountedCache("/data", c.CacheVolume(fmt.Sprintf("standins-tigerbeetle-%d", time.Now().UnixNano())),
			dagger.ContainerWithMountedCacheOpts{Sharing: dagger.CacheSharingModePrivate})
	}

	t.Run("version matches the tag", func(t *testing.T) {
		out, err := tb.WithExec([]string{"version"}, dagger.ContainerWithExecOpts{UseEntrypoint: true}).Stdout(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tag := svc.Image[strings.LastIndex(svc.Image, ":")+1:]
		if strings.TrimSpace(out) != "TigerBeetle version "+tag {
			t.Fatalf("/tigerbeetle version = %q, want TigerBeetle version %s", out, tag)
		}
	})

	t.Run("compose command and healthcheck, first start and restart", func(t *testing.T) {
		main := append(append([]string{}, svc.Entrypoint...), svc.Command...)
		out, err := fresh().WithEnvVariable("CACHE_BUSTER", time.Now().String()).
			WithExec(append([]string{"sh", "-c", healthcheckRounds(svc.Healthcheck.Test, 2), "sh"}, main...)).
			WithExec([]string{"ls", "/data"}).
			Stdout(ctx)
		if err != nil {
			t.Fatalf("compose command %q with healthcheck %q: %v", main, svc.Healthcheck.Test, err)
		}
		if got := strings.Fields(out); !slices.Equal(got, []string{"0_0.tigerbeetle"}) {
			t.Fatalf("/data after two starts holds %q, want [0_0.tigerbeetle]", got)
		}
	})

	t.Run("TCP connect to the service", func(t *testing.T) {
		replica := fresh().
			WithEntrypoint(svc.Entrypoint).
			WithExposedPort(3000).
			AsService(dagger.ContainerAsServiceOpts{Args: svc.Command, UseEntrypoint: true})
		out, err := c.Container().From("node:22-alpine").
			WithServiceBinding("tigerbeetle", replica).
			WithEnvVariable("CACHE_BUSTER", time.Now().String()).
			WithExec([]string{"node", "-e", `
const s = require("node:net").connect(3000, "tigerbeetle", () => { console.log("connected"); s.end(); });
s.on("error", (e) => { console.error(e.message); process.exit(1); });
s.setTimeout(10000, () => { console.error("timeout"); process.exit(1); });`}).
			Stdout(ctx)
		if err != nil {
			t.Fatalf("TCP connect to tigerbeetle:3000: %v", err)
		}
		if strings.TrimSpace(out) != "connected" {
			t.Fatalf("client printed %q", out)
		}
	})

	t.Run("start refuses a missing or unformatted data file", func(t *testing.T) {
		for name, tc := range map[string]struct {
			setup []string
			want  []string
		}{
			"missing":     {nil, []string{"FileNotFound", "tigerbeetle format"}},
			"unformatted": {[]string{"sh", "-c", "echo not-a-data-file > /data/0_0.tigerbeetle"}, []string{"not a formatted data file"}},
		} {
			t.Run(name, func(t *testing.T) {
				ctr := fresh()
				if tc.setup != nil {
					ctr = ctr.WithExec(tc.setup)
				}
				ctr = ctr.WithEnvVariable("CACHE_BUSTER", time.Now().String()).
					WithExec([]string{"/tigerbeetle", "start", "--addresses=0.0.0.0:3000", "/data/0_0.tigerbeetle"},
						dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
				code, err := ctr.ExitCode(ctx)
				if err != nil {
					t.Fatal(err)
				}
				stderr, err := ctr.Stderr(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if code == 0 {
					t.Fatalf("start on a %s data file exited 0; stderr:\n%s", name, stderr)
				}
				for _, w := range tc.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("start on a %s data file: stderr lacks %q:\n%s", name, w, stderr)
					}
				}
			})
		}
	})

	t.Run("format refuses an existing file", func(t *testing.T) {
		format := []string{"/tigerbeetle", "format", "--cluster=0", "--replica=0", "--replica-count=1", "/data/0_0.tigerbeetle"}
		ctr := fresh().WithEnvVariable("CACHE_BUSTER", time.Now().String()).
			WithExec(format).
			WithExec(format, dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
		code, err := ctr.ExitCode(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stderr, err := ctr.Stderr(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if code == 0 || !strings.Contains(stderr, "PathAlreadyExists") {
			t.Fatalf("second format exited %d, want non-zero with PathAlreadyExists; stderr:\n%s", code, stderr)
		}
	})
}

func TestAlpineStandIn(t *testing.T) {
	c := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, ref := range []string{"alpine:3.22.1", "alpine:latest"} {
		t.Run(ref, func(t *testing.T) {
			ctr := c.Container().From(ref)
			requireStandIn(ctx, t, ctr, ref)
			out, err := ctr.WithExec([]string{"sh", "-c", "echo ok"}).Stdout(ctx)
			if err != nil {
				t.Fatalf("%s sh -c 'echo ok': %v", ref, err)
			}
			if out != "ok\n" {
				t.Fatalf("%s printed %q, want ok", ref, out)
			}
		})
	}
}
