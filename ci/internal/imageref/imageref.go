// Package imageref validates what the publish stage pushes to: the registry
// host, the repository path and the tags derived from the git commit, an
// optional semantic version and the "latest" flag.
package imageref

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	// host[:port], as OCI distribution references allow.
	registryRe = regexp.MustCompile(`^(localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(:[0-9]{1,5})?$`)
	// path components: lowercase alphanumerics separated by . _ __ or -.
	componentRe = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$`)
	shaRe       = regexp.MustCompile(`^[0-9a-f]{7,40}$`)
	// semver 2.0.0, with an optional leading v.
	semverRe = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)
)

// Registry validates a registry host such as ghcr.io or 127.0.0.1:5000.
func Registry(r string) (string, error) {
	r = strings.TrimSuffix(strings.TrimSpace(r), "/")
	if strings.Contains(r, "://") {
		return "", fmt.Errorf("registry %q must be a host[:port] without a scheme, e.g. ghcr.io or 127.0.0.1:5000", r)
	}
	if !registryRe.MatchString(r) {
		return "", fmt.Errorf("registry %q is not a host[:port], e.g. ghcr.io or 127.0.0.1:5000", r)
	}
	return r, nil
}

// Repository validates a repository path such as owner/m2m-ilp-connector.
func Repository(repo string) (string, error) {
	repo = strings.Trim(strings.TrimSpace(repo), "/")
	if repo == "" {
		return "", fmt.Errorf("repository is empty; pass --repository OWNER/m2m-ilp-connector")
	}
	parts := strings.Split(repo, "/")
	for _, p := range parts {
		if !componentRe.MatchString(p) {
			return "", fmt.Errorf("repository %q is not valid: %q must be lowercase letters, digits and . _ - (GitHub owners must be lowercased for ghcr.io)", repo, p)
		}
	}
	if len(parts) < 2 {
		return "", fmt.Errorf("repository %q needs an owner, e.g. OWNER/%s", repo, repo)
	}
	return repo, nil
}

// Tags returns the tags to publish: the commit sha, the version (without a
// leading v) when given, and "latest" only when asked for.
func Tags(sha, version string, latest bool) ([]string, error) {
	sha = strings.ToLower(strings.TrimSpace(sha))
	if !shaRe.MatchString(sha) {
		return nil, fmt.Errorf("sha %q is not a git commit id (7 to 40 hex digits); pass --sha $(git rev-parse HEAD)", sha)
	}
	tags := []string{sha}
	if v := strings.TrimSpace(version); v != "" {
		if !semverRe.MatchString(v) {
			return nil, fmt.Errorf("version %q is not a semantic version such as 1.4.2 or v1.4.2-rc.1", v)
		}
		// '+' is not allowed in a tag.
		tags = append(tags, strings.ReplaceAll(strings.TrimPrefix(v, "v"), "+", "_"))
	}
	if latest {
		tags = append(tags, "latest")
	}
	return tags, nil
}

// DigestRef turns what Container.publish returns (ref:tag@sha256:...) into
// registry/repository@sha256:..., checking the digest's shape.
func DigestRef(registry, repository, published string) (string, error) {
	i := strings.LastIndex(published, "@")
	if i < 0 {
		return "", fmt.Errorf("publish returned %q, which has no @sha256: digest", published)
	}
	d := published[i+1:]
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(d) {
		return "", fmt.Errorf("publish returned %q, whose digest is not sha256:<64 hex>", published)
	}
	return registry + "/" + repository + "@" + d, nil
}
