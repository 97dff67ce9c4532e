package npmstandin

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func gz(t *testing.T, v any) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestBulkAnswersOnlyTheRequestedPackages(t *testing.T) {
	s := &Server{Advisories: map[string][]Advisory{
		"prom-client": {{ID: 1, Title: "bad", Severity: "high", VulnerableVersions: ">=0.0.0"}},
		"left-pad":    {{ID: 2, Title: "other", Severity: "critical", VulnerableVersions: "<2"}},
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+BulkPath, gz(t, map[string][]string{"prom-client": {"15.1.3"}, "tdigest": {"0.1.2"}}))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "gzip")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	var got map[string][]Advisory
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got["prom-client"]) != 1 || got["prom-client"][0].Severity != "high" {
		t.Fatalf("got %+v, want only the prom-client advisory", got)
	}
	if a := s.Audited(); len(a) != 1 || a[0]["tdigest"][0] != "0.1.2" {
		t.Fatalf("audited = %v", a)
	}
}

func TestBulkRejectsBadBodies(t *testing.T) {
	srv := httptest.NewServer(&Server{})
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+BulkPath, strings.NewReader("not gzip"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "gzip")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
	res, err = http.Get(srv.URL + BulkPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET bulk: status %d, want 405", res.StatusCode)
	}
}

func TestOtherRequestsGoUpstream(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"name":"`+strings.TrimPrefix(r.URL.Path, "/")+`"}`)
	}))
	defer up.Close()
	srv := httptest.NewServer(&Server{Upstream: up.URL})
	defer srv.Close()
	res, err := http.Get(srv.URL + "/@scope%2fpkg")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.Contains(string(b), "@scope") {
		t.Fatalf("forwarded: %d %s", res.StatusCode, b)
	}
	none := httptest.NewServer(&Server{})
	defer none.Close()
	res, err = http.Get(none.URL + "/left-pad")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("no upstream: status %d, want 404", res.StatusCode)
	}
}
