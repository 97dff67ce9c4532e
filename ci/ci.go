package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dagger/connector-ci/internal/dagger"
	"dagger/connector-ci/internal/summary"

	"golang.org/x/sync/errgroup"
)

// ciArgs are the pass-through arguments of ci and ci-report.
type ciArgs struct {
	snykToken            *dagger.Secret
	ci                   bool
	snykImage            string
	auditRegistry        string
	auditRegistryService *dagger.Service
	platforms            []dagger.Platform
	publish              bool
	pub                  publishArgs
}

// Ci runs lint, test, audit, snyk and build concurrently — a failing stage
// does not stop the others, so one run shows every failure — then prints one
// table (stage, result, duration, first line of the reason). It fails when
// any stage failed; on failure the table is in the error message. With
// --publish, the verified images are published after every stage passed.
//
// +cache="session"
func (m *ConnectorCi) Ci(
	ctx context.Context,
	// The Snyk API token, e.g. env://SNYK_TOKEN. Without it snyk is skipped,
	// or fails with --ci.
	//
	// +optional
	snykToken *dagger.Secret,
	// CI mode: a missing Snyk token fails the snyk stage instead of skipping it.
	//
	// +optional
	ci bool,
	// The Snyk CLI image, overriding the pinned snyk/snyk:node.
	//
	// +optional
	snykImage string,
	// The npm registry to audit against, e.g. https://npm.example.com/.
	//
	// +optional
	auditRegistry string,
	// A service the audit reaches its registry through, bound as host
	// "npm-registry" (e.g. tcp://localhost:4873 with --audit-registry
	// http://npm-registry:4873/).
	//
	// +optional
	auditRegistryService *dagger.Service,
	// The platforms to build (and publish) for.
	//
	// +optional
	// +default=["linux/amd64", "linux/arm64"]
	platforms []dagger.Platform,
	// Publish the image after every stage passed.
	//
	// +optional
	publish bool,
	// With --publish: the registry host.
	//
	// +optional
	// +default="ghcr.io"
	registry string,
	// With --publish: the repository path, e.g. owner/m2m-ilp-connector.
	//
	// +optional
	repository string,
	// With --publish: the git commit sha to tag.
	//
	// +optional
	sha string,
	// With --publish: a semantic version to tag as well.
	//
	// +optional
	version string,
	// With --publish: also tag latest.
	//
	// +optional
	latest bool,
	// With --publish: the registry user name.
	//
	// +optional
	username string,
	// With --publish: the registry password or token, e.g. env://GITHUB_TOKEN.
	//
	// +optional
	password *dagger.Secret,
) (string, error) {
	report, err := m.runAll(ctx, ciArgs{
		snykToken: snykToken, ci: ci, snykImage: snykImage,
		auditRegistry: auditRegistry, auditRegistryService: auditRegistryService,
		platforms: platforms, publish: publish,
		pub: publishArgs{registry: registry, repository: repository, sha: sha, version: version, latest: latest, username: username, password: password},
	})
	if err != nil {
		return "", err
	}
	text := report.Text()
	if !report.Passed {
		return "", errors.New("\n" + text)
	}
	return text, nil
}

// CiReport runs the same stages as ci (same arguments) and returns the
// report as a directory instead of failing: report.json (for programs such
// as ci/cmd/gha-ci, which writes GitHub annotations and the step summary),
// summary.md and summary.txt. Export it with `export --path ./ci-report`.
//
// +cache="session"
func (m *ConnectorCi) CiReport(
	ctx context.Context,
	// The Snyk API token, e.g. env://SNYK_TOKEN.
	//
	// +optional
	snykToken *dagger.Secret,
	// CI mode: a missing Snyk token fails the snyk stage.
	//
	// +optional
	ci bool,
	// The Snyk CLI image, overriding the pinned snyk/snyk:node.
	//
	// +optional
	snykImage string,
	// The npm registry to audit against.
	//
	// +optional
	auditRegistry string,
	// A service the audit reaches its registry through, bound as host "npm-registry".
	//
	// +optional
	auditRegistryService *dagger.Service,
	// The platforms to build (and publish) for.
	//
	// +optional
	// +default=["linux/amd64", "linux/arm64"]
	platforms []dagger.Platform,
	// Publish the image after every stage passed.
	//
	// +optional
	publish bool,
	// With --publish: the registry host.
	//
	// +optional
	// +default="ghcr.io"
	registry string,
	// With --publish: the repository path, e.g. owner/m2m-ilp-connector.
	//
	// +optional
	repository string,
	// With --publish: the git commit sha to tag.
	//
	// +optional
	sha string,
	// With --publish: a semantic version to tag as well.
	//
	// +optional
	version string,
	// With --publish: also tag latest.
	//
	// +optional
	latest bool,
	// With --publish: the registry user name.
	//
	// +optional
	username string,
	// With --publish: the registry password or token, e.g. env://GITHUB_TOKEN.
	//
	// +optional
	password *dagger.Secret,
) (*dagger.Directory, error) {
	report, err := m.runAll(ctx, ciArgs{
		snykToken: snykToken, ci: ci, snykImage: snykImage,
		auditRegistry: auditRegistry, auditRegistryService: auditRegistryService,
		platforms: platforms, publish: publish,
		pub: publishArgs{registry: registry, repository: repository, sha: sha, version: version, latest: latest, username: username, password: password},
	})
	if err != nil {
		return nil, err
	}
	js, err := report.JSON()
	if err != nil {
		return nil, err
	}
	return dag.Directory().
		WithNewFile("report.json", string(js)).
		WithNewFile("summary.md", report.Markdown()).
		WithNewFile("summary.txt", report.Text()), nil
}

// runAll runs the stages concurrently and collects their results. An error
// is returned only for unusable arguments, before any stage runs.
func (m *ConnectorCi) runAll(ctx context.Context, a ciArgs) (*summary.Report, error) {
	if a.publish {
		if _, _, _, err := a.pub.validate(); err != nil {
			return nil, fmt.Errorf("ci --publish: %w", err)
		}
	}

	var built []*dagger.Container
	stages := []struct {
		name string
		run  func() outcome
	}{
		{"lint", func() outcome { return m.lint(ctx) }},
		{"test", func() outcome { return m.test(ctx) }},
		{"audit", func() outcome { return m.audit(ctx, a.auditRegistry, a.auditRegistryService) }},
		{"snyk", func() outcome { return m.snyk(ctx, a.snykToken, a.ci, a.snykImage) }},
		{"build", func() outcome {
			ctrs, lines, err := m.build(ctx, a.platforms)
			if err != nil {
				return failedErr(err)
			}
			built = ctrs
			return passed("%s verified\n%s", platformList(lines), strings.Join(lines, "\n"))
		}},
	}
	results := make([]summary.Stage, len(stages))
	// A plain Group, not WithContext: a failed stage must not cancel the
	// others. Every goroutine records its result and returns nil.
	var g errgroup.Group
	for i, s := range stages {
		g.Go(func() error {
			results[i] = timed(s.name, s.run)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("ci: %w", err)
	}

	if a.publish {
		report := summary.New(results...)
		if !report.Passed {
			results = append(results, summary.Stage{Name: "publish", Status: summary.Skip,
				Reason: "publish skipped: not every stage passed (" + failedNames(report) + ")"})
		} else {
			results = append(results, timed("publish", func() outcome {
				ref, refs, err := m.publish(ctx, a.pub, built)
				if err != nil {
					return failedErr(err)
				}
				return passed("published %s\ntags: %s", ref, strings.Join(refs, ", "))
			}))
		}
	}
	return summary.New(results...), nil
}

func failedNames(r *summary.Report) string {
	var names []string
	for _, s := range r.Failed() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// platformList turns "linux/amd64: ..." lines into "linux/amd64, linux/arm64".
func platformList(lines []string) string {
	var ps []string
	for _, l := range lines {
		p, _, found := strings.Cut(l, ":")
		if found {
			ps = append(ps, p)
		}
	}
	return strings.Join(ps, ", ")
}
