package imageref

import (
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	for _, ok := range []string{"ghcr.io", "127.0.0.1:5000", "localhost:5000", "registry.example.com/"} {
		if _, err := Registry(ok); err != nil {
			t.Errorf("Registry(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "http://127.0.0.1:5000", "GHCR.IO", "ghcr.io/owner"} {
		if _, err := Registry(bad); err == nil {
			t.Errorf("Registry(%q) accepted", bad)
		}
	}
}

func TestRepository(t *testing.T) {
	if r, err := Repository("/acme/m2m-ilp-connector/"); err != nil || r != "acme/m2m-ilp-connector" {
		t.Fatalf("got %q %v", r, err)
	}
	for bad, want := range map[string]string{"": "is empty", "Acme/x": "lowercase", "x": "needs an owner", "a//b": "not valid"} {
		if _, err := Repository(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Repository(%q) = %v, want %q", bad, err, want)
		}
	}
}

func TestTags(t *testing.T) {
	got, err := Tags("0123456789ABCDEF0123456789abcdef01234567", "v1.4.2-rc.1+build.5", true)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "0123456789abcdef0123456789abcdef01234567,1.4.2-rc.1_build.5,latest" {
		t.Fatalf("got %v", got)
	}
	got, err = Tags("abc1234", "", false)
	if err != nil || strings.Join(got, ",") != "abc1234" {
		t.Fatalf("latest must only come with the flag: %v %v", got, err)
	}
	for _, c := range [][2]string{{"main", ""}, {"abc1234", "1.2"}, {"abc1234", "latest"}} {
		if _, err := Tags(c[0], c[1], false); err == nil {
			t.Errorf("Tags(%q,%q) accepted", c[0], c[1])
		}
	}
}

func TestDigestRef(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	got, err := DigestRef("127.0.0.1:5000", "acme/c", "127.0.0.1:5000/acme/c:abc1234@"+d)
	if err != nil || got != "127.0.0.1:5000/acme/c@"+d {
		t.Fatalf("got %q %v", got, err)
	}
	if _, err := DigestRef("r", "a/b", "r/a/b:tag"); err == nil {
		t.Fatal("accepted a ref without digest")
	}
}
