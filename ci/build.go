package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"dagger/connector-ci/internal/dagger"
	"dagger/connector-ci/internal/platforms"

	"golang.org/x/sync/errgroup"
)

// The smoke-test wiring of a built image. /health reports ready only when a
// TigerBeetle address accepts TCP connections, so the check starts a fake
// TigerBeetle (a TCP listener) and requires 200: a 503 would only prove that
// the server answers, not that its readiness logic works in the image.
const (
	appPort        = 3000
	fakeTBHost     = "tigerbeetle"
	fakeTBPort     = 3000
	appServiceHost = "connector"
	// A key id the aws-kms backend accepts at start; the health check never
	// uses it. NODE_ENV=production refuses KEY_BACKEND=env.
	smokeKMSKeyID   = "alias/connector-ci-smoke"
	fakeTigerBeetle = `const net = require("node:net");
net.createServer((s) => { s.on("error", () => {}); s.end(); }).listen(3000, "0.0.0.0", () => console.log("fake tigerbeetle listening on 3000"));`
	// healthProbe fetches /health, retrying while the server starts (it runs
	// under QEMU for foreign platforms), and prints "STATUS BODY".
	healthProbe = `const url = process.argv[2];
const deadline = Date.now() + 90000;
let last = "";
for (;;) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = await res.text();
    console.log(res.status + " " + body.replace(/\s+/g, " "));
    process.exit(0);
  } catch (err) {
    last = String(err && err.cause ? err.cause.message || err.cause : err);
  }
  if (Date.now() > deadline) { console.error("no answer from " + url + " within 90s: " + last); process.exit(1); }
  await new Promise((r) => setTimeout(r, 1000));
}`
)

// Build builds the Dockerfile for each platform (concurrently) and verifies
// every variant: `uname -m` matches the platform, `node -v` is v22, and the
// server answers GET /health with 200 (ready) when a TigerBeetle address is
// reachable. Returns the verified containers, in the order of --platforms.
func (m *ConnectorCi) Build(
	ctx context.Context,
	// The platforms to build for.
	//
	// +optional
	// +default=["linux/amd64", "linux/arm64"]
	platforms []dagger.Platform,
) ([]*dagger.Container, error) {
	ctrs, _, err := m.build(ctx, platforms)
	return ctrs, err
}

// build returns the verified containers and one line per platform.
func (m *ConnectorCi) build(ctx context.Context, ps []dagger.Platform) ([]*dagger.Container, []string, error) {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p)
	}
	if len(names) == 0 {
		names = platforms.Default
	}
	valid, err := platforms.Validate(names)
	if err != nil {
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	ctrs := make([]*dagger.Container, len(valid))
	lines := make([]string, len(valid))
	errs := make([]error, len(valid))
	var g errgroup.Group // every platform runs to the end: report all broken variants
	for i, p := range valid {
		g.Go(func() error {
			ctr, line, err := m.buildOne(ctx, p)
			if err != nil {
				errs[i] = fmt.Errorf("build %s: %w", p, err)
				return nil
			}
			ctrs[i], lines[i] = ctr, line
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return ctrs, lines, nil
}

func (m *ConnectorCi) buildOne(ctx context.Context, platform string) (*dagger.Container, string, error) {
	ctr, err := m.Source.DockerBuild(dagger.DirectoryDockerBuildOpts{Platform: dagger.Platform(platform)}).Sync(ctx)
	if err != nil {
		return nil, "", describe("docker build", err)
	}

	uname, err := ctr.WithExec([]string{"uname", "-m"}).Stdout(ctx)
	if err != nil {
		return nil, "", describe("verify: uname -m", err)
	}
	if err := platforms.CheckUname(platform, uname); err != nil {
		return nil, "", fmt.Errorf("verify: %w", err)
	}
	nodeV, err := ctr.WithExec([]string{"node", "-v"}).Stdout(ctx)
	if err != nil {
		return nil, "", describe("verify: node -v", err)
	}
	if err := platforms.CheckNodeVersion(nodeV); err != nil {
		return nil, "", fmt.Errorf("verify: %w", err)
	}
	health, err := m.checkHealth(ctx, ctr)
	if err != nil {
		return nil, "", fmt.Errorf("verify: %w", err)
	}
	return ctr, fmt.Sprintf("%s: uname -m %s, node %s, GET /health %s", platform, strings.TrimSpace(uname), strings.TrimSpace(nodeV), health), nil
}

// checkHealth starts the image's own CMD as a service next to a fake
// TigerBeetle and requires GET /health to answer 200 with a JSON body. Both
// services are killed afterwards: a graceful stop of a server under QEMU can
// outlast the CLI's session shutdown deadline.
func (m *ConnectorCi) checkHealth(ctx context.Context, ctr *dagger.Container) (result string, rerr error) {
	tb, err := dag.Container().From(nodeImage).
		WithExposedPort(fakeTBPort).
		AsService(dagger.ContainerAsServiceOpts{Args: []string{"node", "-e", fakeTigerBeetle}}).
		Start(ctx)
	if err != nil {
		return "", describe("start the fake TigerBeetle", err)
	}
	defer kill(ctx, tb, "the fake TigerBeetle", &rerr)
	app, err := ctr.
		WithEnvVariable("NODE_ENV", "production").
		WithEnvVariable("PORT", fmt.Sprint(appPort)).
		WithEnvVariable("TIGERBEETLE_ADDRESS", fmt.Sprintf("%s:%d", fakeTBHost, fakeTBPort)).
		WithEnvVariable("KEY_BACKEND", "aws-kms").
		WithEnvVariable("AWS_KMS_KEY_ID", smokeKMSKeyID).
		WithServiceBinding(fakeTBHost, tb).
		WithExposedPort(appPort).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true}).
		Start(ctx)
	if err != nil {
		return "", describe("start the image's CMD as a service (NODE_ENV=production, KEY_BACKEND=aws-kms)", err)
	}
	defer kill(ctx, app, "the connector service", &rerr)
	probe := dag.Container().From(nodeImage).
		WithServiceBinding(appServiceHost, app).
		WithNewFile("/probe.mjs", healthProbe)
	res, err := run(ctx, "GET /health", probe, []string{"node", "/probe.mjs", fmt.Sprintf("http://%s:%d/health", appServiceHost, appPort)})
	if err != nil {
		return "", err
	}
	if res.exitCode != 0 {
		return "", fmt.Errorf("GET /health: the server did not answer: %s", strings.TrimSpace(res.combined()))
	}
	status, body, ok := strings.Cut(strings.TrimSpace(res.stdout), " ")
	if !ok {
		return "", fmt.Errorf("GET /health: unexpected probe output %q", truncate(res.stdout, 300))
	}
	if status != "200" {
		return "", fmt.Errorf("GET /health answered %s, want 200 with a reachable TigerBeetle: %s", status, truncate(body, 300))
	}
	var js map[string]any
	if err := json.Unmarshal([]byte(body), &js); err != nil {
		return "", fmt.Errorf("GET /health answered 200 but not with a JSON object: %s", truncate(body, 300))
	}
	return "200 " + truncate(body, 160), nil
}

// kill stops a service at once, recording a failure in *rerr unless an
// earlier error is already there.
func kill(ctx context.Context, svc *dagger.Service, what string, rerr *error) {
	if _, err := svc.Stop(ctx, dagger.ServiceStopOpts{Kill: true}); err != nil && *rerr == nil {
		*rerr = describe("stop "+what, err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
