package main

import (
	"context"
	"fmt"
	"strings"

	"dagger/connector-ci/internal/dagger"
	"dagger/connector-ci/internal/imageref"
)

// publishArgs are the arguments of publish, shared with ci and ci-report.
type publishArgs struct {
	registry   string
	repository string
	sha        string
	version    string
	latest     bool
	username   string
	password   *dagger.Secret
}

// validate checks the arguments before anything is built, and returns the
// normalized registry, repository and tags.
func (a publishArgs) validate() (string, string, []string, error) {
	registry, err := imageref.Registry(a.registry)
	if err != nil {
		return "", "", nil, fmt.Errorf("publish: %w", err)
	}
	repo, err := imageref.Repository(a.repository)
	if err != nil {
		return "", "", nil, fmt.Errorf("publish: %w", err)
	}
	tags, err := imageref.Tags(a.sha, a.version, a.latest)
	if err != nil {
		return "", "", nil, fmt.Errorf("publish: %w", err)
	}
	if a.password != nil && a.username == "" {
		return "", "", nil, fmt.Errorf("publish: --password given without --username; pass both (for ghcr.io: --username $GITHUB_ACTOR --password env://GITHUB_TOKEN)")
	}
	if a.password == nil && a.username != "" {
		return "", "", nil, fmt.Errorf("publish: --username given without --password; pass the password as a secret, e.g. --password env://REGISTRY_PASSWORD")
	}
	return registry, repo, tags, nil
}

// Publish builds and verifies the image for every platform (as build does)
// and pushes them as one multi-platform manifest, tagged with the commit sha,
// the version when given, and latest only with --latest. Returns the
// manifest's digest reference, e.g. ghcr.io/owner/m2m-ilp-connector@sha256:….
// Plain-http registries on 127.0.0.1/localhost work (for tests).
//
// +cache="session"
func (m *ConnectorCi) Publish(
	ctx context.Context,
	// The repository path in the registry, e.g. owner/m2m-ilp-connector
	// (lowercase).
	repository string,
	// The git commit the image is built from (7 to 40 hex digits); always a tag.
	sha string,
	// The registry host, e.g. ghcr.io or 127.0.0.1:5000.
	//
	// +optional
	// +default="ghcr.io"
	registry string,
	// A semantic version to tag as well, e.g. 1.4.2 or v1.4.2 (tagged 1.4.2).
	//
	// +optional
	version string,
	// Also tag the image latest.
	//
	// +optional
	latest bool,
	// The registry user name; with --password.
	//
	// +optional
	username string,
	// The registry password or token, e.g. env://GITHUB_TOKEN.
	//
	// +optional
	password *dagger.Secret,
	// The platforms to build and publish.
	//
	// +optional
	// +default=["linux/amd64", "linux/arm64"]
	platforms []dagger.Platform,
) (string, error) {
	a := publishArgs{registry: registry, repository: repository, sha: sha, version: version, latest: latest, username: username, password: password}
	if _, _, _, err := a.validate(); err != nil {
		return "", err
	}
	ctrs, _, err := m.build(ctx, platforms)
	if err != nil {
		return "", fmt.Errorf("publish: the image did not build and verify, nothing was pushed: %w", err)
	}
	ref, _, err := m.publish(ctx, a, ctrs)
	return ref, err
}

// maxTagAttempts bounds how often an extra tag is re-pushed until it points
// at the first tag's manifest (see publish).
const maxTagAttempts = 12

// publish pushes verified containers under every tag and makes all tags
// point at one manifest. Returns the digest reference and the tagged
// references.
//
// Dagger v0.19.10 builds the index from a Go map
// (engine/buildkit/containerimage.go, combineContainerRefs), so the order of
// the platform entries — and with it the index digest — can differ between
// two pushes of the same variants. The first tag's push defines the
// manifest; every further tag is re-pushed (only the small index moves, the
// layers are already there) until the registry answers with that digest.
func (m *ConnectorCi) publish(ctx context.Context, a publishArgs, ctrs []*dagger.Container) (string, []string, error) {
	registry, repo, tags, err := a.validate()
	if err != nil {
		return "", nil, err
	}
	if len(ctrs) == 0 {
		return "", nil, fmt.Errorf("publish: no containers to publish")
	}
	pusher := dag.Container()
	if a.password != nil {
		pusher = pusher.WithRegistryAuth(registry, a.username, a.password)
	}
	push := func(ref string) (string, error) {
		published, err := pusher.Publish(ctx, ref, dagger.ContainerPublishOpts{PlatformVariants: ctrs})
		if err != nil {
			return "", describe("publish "+ref, err)
		}
		d, err := imageref.DigestRef(registry, repo, published)
		if err != nil {
			return "", fmt.Errorf("publish %s: %w", ref, err)
		}
		return d, nil
	}
	digestRef := ""
	var refs []string
	for i, tag := range tags {
		ref := fmt.Sprintf("%s/%s:%s", registry, repo, tag)
		d, err := push(ref)
		if err != nil {
			return "", nil, err
		}
		if i == 0 {
			digestRef = d
		}
		for attempt := 2; d != digestRef; attempt++ {
			if attempt > maxTagAttempts {
				return "", nil, fmt.Errorf("publish %s: after %d pushes the tag still points at %s, not at %s (the same platform images in another order); re-run publish", ref, maxTagAttempts, d, digestRef)
			}
			if d, err = push(ref); err != nil {
				return "", nil, err
			}
		}
		refs = append(refs, ref)
	}
	fmt.Printf("published %s as %s\n", digestRef, strings.Join(refs, ", "))
	return digestRef, refs, nil
}
