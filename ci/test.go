package main

import (
	"context"
	"fmt"
	"time"

	"dagger/connector-ci/internal/toolout"
)

// Test runs the connector's test suite: `npm ci` then `npm test` in
// node:22-alpine, with npm's download cache in the connector-ci-npm-cache
// cache volume.
//
// +check
func (m *ConnectorCi) Test(ctx context.Context) (string, error) {
	return m.test(ctx).result()
}

// testTimeout bounds `npm test`: a suite that leaves a server running must
// fail with a clear message instead of holding the pipeline for hours.
const testTimeout = 10 * time.Minute

func (m *ConnectorCi) test(ctx context.Context) outcome {
	secs := fmt.Sprint(int(testTimeout.Seconds()))
	res, err := run(ctx, "test: npm ci && npm test", m.installed(), []string{"timeout", secs, "npm", "test"})
	if err != nil {
		return failedErr(err)
	}
	if res.exitCode == 124 || res.exitCode == 143 {
		return failed("npm test did not finish within %s and was stopped (exit %d): a test or a process it started hangs\n\n%s",
			testTimeout, res.exitCode, toolout.Tail(res.combined(), 60))
	}
	counts := toolout.NodeTestSummary(res.stdout)
	if res.exitCode == 0 {
		if counts.Found && counts.Tests == 0 {
			// A suite that ran nothing proves nothing.
			return failed("npm test ran no tests: check the test script's file pattern in package.json")
		}
		if counts.Found {
			return passed("npm test: %s", counts)
		}
		return passed("npm test exited 0\n\n%s", toolout.Tail(res.combined(), 20))
	}
	detail := toolout.NodeTestFailures(res.stdout)
	if detail == "" {
		detail = toolout.Tail(res.combined(), 80)
	} else {
		detail = toolout.Head(detail, 120)
	}
	if counts.Found {
		return failed("npm test failed: %s (exit %d)\n\n%s", counts, res.exitCode, detail)
	}
	return failed("npm test failed (exit %d)\n\n%s", res.exitCode, detail)
}
