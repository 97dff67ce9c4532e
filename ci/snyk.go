package main

import (
	"context"
	"time"

	"dagger/connector-ci/internal/dagger"
	"dagger/connector-ci/internal/snykreport"
)

// Snyk runs `snyk test --severity-threshold=high --json` on the dependencies.
// Without a token it is skipped (and says so) on a laptop, and fails with
// --ci. Snyk's exit codes are mapped faithfully: 1 (vulnerabilities) and
// 2/3 (could not test) fail. It runs afresh on every call.
//
// +check
// +cache="session"
func (m *ConnectorCi) Snyk(
	ctx context.Context,
	// The Snyk API token, e.g. env://SNYK_TOKEN. It reaches the scanner only
	// as the SNYK_TOKEN secret variable and never appears in any output.
	//
	// +optional
	token *dagger.Secret,
	// CI mode: a missing token fails the stage instead of skipping it.
	//
	// +optional
	ci bool,
	// The Snyk CLI image to run, overriding the pinned snyk/snyk:node (for a
	// mirror, or a stand-in in tests).
	//
	// +optional
	image string,
) (string, error) {
	return m.snyk(ctx, token, ci, image).result()
}

func (m *ConnectorCi) snyk(ctx context.Context, token *dagger.Secret, ci bool, image string) outcome {
	if token == nil {
		if ci {
			return failed("snyk: no Snyk token given and CI mode is on, so the scan cannot run and the gate fails. " +
				"Fix: pass --token env://SNYK_TOKEN (in GitHub Actions, from secrets.SNYK_TOKEN)")
		}
		return skipped("snyk skipped: no Snyk token given (a local run). " +
			"Pass --token env://SNYK_TOKEN to scan; --ci makes a missing token fail")
	}
	if image == "" {
		image = snykImage
	}
	ctr := dag.Container().From(image).
		WithoutEntrypoint().
		WithDirectory(srcDir, m.Source).
		WithWorkdir(srcDir).
		WithSecretVariable("SNYK_TOKEN", token).
		// Snyk's database changes independently of the source: never reuse a
		// cached scan.
		WithEnvVariable("CONNECTOR_CI_SNYK_AT", time.Now().UTC().Format(time.RFC3339Nano))
	res, err := run(ctx, "snyk test", ctr, []string{"snyk", "test", "--severity-threshold=high", "--json"})
	if err != nil {
		return failedErr(err)
	}
	o := snykreport.Decide(res.exitCode, []byte(res.stdout))
	if o.Passed {
		return passed("snyk: %s", o.Reason)
	}
	msg := "snyk: " + o.Reason
	if o.Details != "" {
		msg += "\n\n" + o.Details
	} else if note := stderrNote("snyk", res.stderr); note != "" {
		msg += note
	}
	return failed("%s", msg)
}
