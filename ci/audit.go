package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"dagger/connector-ci/internal/dagger"
	"dagger/connector-ci/internal/npmaudit"
)

// registryServiceHost is the hostname a --registry-service is reachable at.
const registryServiceHost = "npm-registry"

// Audit runs `npm audit --audit-level=high --omit=dev --json` and fails on
// any high or critical advisory in production dependencies that is not an
// unexpired entry of .audit-accepted.json. It fails closed: when npm could
// not audit (the registry refused the advisory endpoint, no lockfile,
// output that is not a report) the stage fails and says so. It runs afresh
// on every call.
//
// +check
// +cache="session"
func (m *ConnectorCi) Audit(
	ctx context.Context,
	// The npm registry to audit against (a private mirror that serves the bulk
	// advisory endpoint), e.g. https://npm.example.com/. Defaults to the
	// registry npm is configured with.
	//
	// +optional
	registry string,
	// A service to reach the registry through, bound as host "npm-registry":
	// pass tcp://localhost:PORT to use a registry running on this machine,
	// with --registry http://npm-registry:PORT/.
	//
	// +optional
	registryService *dagger.Service,
) (string, error) {
	return m.audit(ctx, registry, registryService).result()
}

func (m *ConnectorCi) audit(ctx context.Context, registry string, registryService *dagger.Service) outcome {
	accepted, err := m.acceptedRisks(ctx)
	if err != nil {
		return failedErr(err)
	}

	args := []string{"npm", "audit", "--audit-level=high", "--omit=dev", "--json"}
	if registry != "" {
		u, err := url.Parse(registry)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return failed("audit: --registry %q is not an http(s) URL; pass e.g. https://npm.example.com/", redact(registry))
		}
		args = append(args, "--registry="+registry)
	}
	ctr := m.nodeBase().
		// npm audit asks the registry about the dependencies as they are now,
		// so its result must never come from the engine's cache.
		WithEnvVariable("CONNECTOR_CI_AUDIT_AT", time.Now().UTC().Format(time.RFC3339Nano))
	if registryService != nil {
		ctr = ctr.WithServiceBinding(registryServiceHost, registryService)
	}
	res, err := run(ctx, "audit: npm audit", ctr, args)
	if err != nil {
		return failedErr(err)
	}

	report, err := npmaudit.Parse([]byte(res.stdout))
	if err != nil {
		var ae *npmaudit.AuditError
		if errors.As(err, &ae) {
			return failed("audit FAILED CLOSED: %v\n(npm exited %d)%s", err, res.exitCode, stderrNote("npm", res.stderr))
		}
		return failed("audit: %v", err)
	}
	result, err := npmaudit.Evaluate(report, npmaudit.SeverityHigh, accepted)
	if err != nil {
		return failed("audit FAILED CLOSED: %v", err)
	}
	if !result.Passed() {
		return failed("audit: %s", result.Summary())
	}
	return passed("%s", result.Summary())
}

// acceptedRisks reads and validates .audit-accepted.json when the source has
// it. An invalid or expired entry is an error.
func (m *ConnectorCi) acceptedRisks(ctx context.Context) (*npmaudit.AcceptedRisks, error) {
	ok, err := m.exists(ctx, npmaudit.AcceptedFile)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	data, err := m.Source.File(npmaudit.AcceptedFile).Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", npmaudit.AcceptedFile, err)
	}
	acc, err := npmaudit.ParseAccepted([]byte(data), npmaudit.AcceptedFile, time.Now())
	if err != nil {
		return nil, fmt.Errorf("audit: the accepted-risks file is not usable:\n%w", err)
	}
	return acc, nil
}

// stderrNote returns the last lines of a tool's stderr (its log of what went
// wrong), or "".
func stderrNote(tool, stderr string) string {
	lines := nonEmptyLines(stderr)
	if len(lines) == 0 {
		return ""
	}
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return "\n\n" + tool + " stderr:\n  " + strings.Join(lines, "\n  ")
}

// redact drops credentials and query strings from a URL given by the user.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable URL>"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}
