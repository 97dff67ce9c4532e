package platforms

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	got, err := Validate([]string{"linux/AMD64", "linux/arm64/v8"})
	if err != nil || strings.Join(got, ",") != "linux/amd64,linux/arm64" {
		t.Fatalf("got %v %v", got, err)
	}
	for _, bad := range [][]string{nil, {"windows/amd64"}, {"linux/amd64", "linux/amd64"}} {
		if _, err := Validate(bad); err == nil {
			t.Errorf("Validate(%v) accepted", bad)
		}
	}
}

func TestCheckUname(t *testing.T) {
	if err := CheckUname("linux/arm64", "aarch64\n"); err != nil {
		t.Fatal(err)
	}
	err := CheckUname("linux/arm64", "x86_64\n")
	if err == nil || !strings.Contains(err.Error(), `"x86_64", want "aarch64" for linux/arm64`) {
		t.Fatalf("got %v", err)
	}
}

func TestCheckNodeVersion(t *testing.T) {
	if err := CheckNodeVersion("v22.11.0\n"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"v20.18.0", "v2.0.0", "", "v220.1.0"} {
		if CheckNodeVersion(bad) == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
