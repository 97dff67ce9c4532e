// Package npmstandin is a local stand-in for the npm registry's security API, for tests of the
// pipeline's audit stage where the real advisory endpoint cannot be reached.
//
// It speaks the protocol npm (v7 and later) uses for `npm audit`: a POST of the installed packages
// and their versions to /-/npm/v1/security/advisories/bulk (JSON, usually gzip-encoded), answered
// with the advisories that may apply to each package name. npm itself matches vulnerable_versions
// against the installed versions. Every other GET (packuments, tarballs, used by npm to compute
// fixes) is forwarded to an upstream registry.
package npmstandin

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// BulkPath is the npm bulk advisory endpoint.
const BulkPath = "/-/npm/v1/security/advisories/bulk"

// Advisory is one entry of a bulk advisory response, as the npm registry sends it.
type Advisory struct {
	ID                 int      `json:"id"`
	URL                string   `json:"url"`
	Title              string   `json:"title"`
	Severity           string   `json:"severity"`
	VulnerableVersions string   `json:"vulnerable_versions"`
	CWE                []string `json:"cwe"`
	CVSS               CVSS     `json:"cvss"`
}

// CVSS is the score block of an advisory.
type CVSS struct {
	Score        float64 `json:"score"`
	VectorString string  `json:"vectorString"`
}

// Server answers the bulk advisory endpoint from Advisories (by package name) and forwards other
// GET requests to Upstream. The zero Upstream forwards nothing (404).
type Server struct {
	Advisories map[string][]Advisory
	Upstream   string
	Client     *http.Client

	mu      sync.Mutex
	audited []map[string][]string
}

// Audited returns the bodies of the bulk requests received so far (package name → versions).
func (s *Server) Audited() []map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string][]string(nil), s.audited...)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == BulkPath && r.Method == http.MethodPost:
		s.bulk(w, r)
	case r.URL.Path == BulkPath:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.forward(w, r)
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, "bad gzip body: "+err.Error(), http.StatusBadRequest)
			return
		}
		defer zr.Close()
		body = zr
	}
	var req map[string][]string
	if err := json.NewDecoder(io.LimitReader(body, 32<<20)).Decode(&req); err != nil {
		http.Error(w, "bad bulk request: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.audited = append(s.audited, req)
	s.mu.Unlock()
	resp := map[string][]Advisory{}
	for name := range req {
		if adv, ok := s.Advisories[name]; ok {
			resp[name] = adv
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (s *Server) forward(w http.ResponseWriter, r *http.Request) {
	if s.Upstream == "" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	base, err := url.Parse(s.Upstream)
	if err != nil {
		http.Error(w, "bad upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	target := base.JoinPath(r.URL.EscapedPath())
	target.RawQuery = r.URL.RawQuery
	req, err := http.NewRequestWithContext(r.Context(), r.Method, target.String(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	// Ask for the full packument: npm's abbreviated form is also fine, but keep it plain JSON.
	req.Header.Set("Accept", "application/json")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		http.Error(w, fmt.Sprintf("upstream %s: %v", base.Host, err), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(res.StatusCode)
	if _, err := io.Copy(w, res.Body); err != nil {
		return // the client went away; nothing more to say
	}
}
