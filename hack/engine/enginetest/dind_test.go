package enginetest

import (
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"
)

// docker:dind runs dockerd as an engine service (insecure root capabilities, as Docker's own
// privileged mode), and a client reaches it over tcp://docker:2375: `docker run` of an image loaded
// from a tarball (no registry is reachable from the nested daemon) and `docker compose` both work.
func TestDockerInDockerStandIn(t *testing.T) {
	c := connect(t)
	ctx := t.Context()
	dindImage := c.Container().From("docker:dind")
	requireStandIn(ctx, t, dindImage, "docker:dind")
	dockerd := dindImage.
		WithMountedCache("/var/lib/docker", c.CacheVolume("enginetest-dind-var-lib-docker")).
		WithExposedPort(2375).
		AsService(dagger.ContainerAsServiceOpts{UseEntrypoint: true, InsecureRootCapabilities: true})
	compose := `services:
  hello:
    image: enginetest/alpine
    command: ["sh", "-c", "echo compose-ok"]
`
	out, err := dindImage.
		WithoutEntrypoint().
		WithServiceBinding("docker", dockerd).
		WithEnvVariable("DOCKER_HOST", "tcp://docker:2375").
		WithEnvVariable("CACHE_BUSTER", time.Now().String()).
		WithMountedFile("/alpine.tar", c.Container().From("alpine:3.22.1").AsTarball()).
		WithNewFile("/work/compose.yml", compose).
		WithWorkdir("/work").
		WithExec([]string{"sh", "-euc", `
for i in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 1; done
id=$(docker load -q -i /alpine.tar | awk '{print $NF}')
docker tag "$id" enginetest/alpine
docker run --rm enginetest/alpine sh -c 'echo run-ok'
docker compose version
docker compose -p enginetest up --abort-on-container-exit 2>&1 | grep -o compose-ok | head -n1
docker compose -p enginetest down >/dev/null 2>&1
`}).
		Stdout(ctx)
	if err != nil {
		t.Fatalf("docker:dind: %v", err)
	}
	for _, want := range []string{"run-ok", "1.29.2", "compose-ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("docker:dind output lacks %q:\n%s", want, out)
		}
	}
}
