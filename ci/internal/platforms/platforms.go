// Package platforms validates the OCI platforms the image is built for and
// knows what `uname -m` prints on each.
package platforms

import (
	"fmt"
	"strings"
)

// Default is the set of platforms the image is built for.
var Default = []string{"linux/amd64", "linux/arm64"}

var machines = map[string]string{
	"linux/amd64":    "x86_64",
	"linux/arm64":    "aarch64",
	"linux/arm64/v8": "aarch64",
	"linux/arm/v7":   "armv7l",
	"linux/arm/v6":   "armv6l",
	"linux/386":      "i686",
	"linux/ppc64le":  "ppc64le",
	"linux/s390x":    "s390x",
	"linux/riscv64":  "riscv64",
}

// Normalize lower-cases and trims a platform, and maps linux/arm64/v8 to
// linux/arm64.
func Normalize(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	if p == "linux/arm64/v8" {
		return "linux/arm64"
	}
	return p
}

// Machine returns what `uname -m` prints on a platform.
func Machine(platform string) (string, error) {
	m, ok := machines[Normalize(platform)]
	if !ok {
		return "", fmt.Errorf("platform %q is not supported; use one of linux/amd64, linux/arm64, linux/arm/v7, linux/386, linux/ppc64le, linux/s390x, linux/riscv64", platform)
	}
	return m, nil
}

// Validate normalizes a list of platforms, rejecting an empty list, unknown
// platforms and duplicates.
func Validate(ps []string) ([]string, error) {
	if len(ps) == 0 {
		return nil, fmt.Errorf("no platforms given; pass e.g. --platforms linux/amd64,linux/arm64")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		n := Normalize(p)
		if _, err := Machine(n); err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, fmt.Errorf("platform %q is listed twice", n)
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, nil
}

// CheckUname compares `uname -m` output with the platform.
func CheckUname(platform, unameOutput string) error {
	want, err := Machine(platform)
	if err != nil {
		return err
	}
	got := strings.TrimSpace(unameOutput)
	if got != want {
		return fmt.Errorf("uname -m printed %q, want %q for %s: the image is not built for this platform", got, want, platform)
	}
	return nil
}

// CheckNodeVersion checks that `node -v` printed a Node.js 22 version.
func CheckNodeVersion(output string) error {
	v := strings.TrimSpace(output)
	if !strings.HasPrefix(v, "v22.") {
		return fmt.Errorf("node -v printed %q, want v22.x: the runtime stage must use node:22-alpine", v)
	}
	return nil
}
