package deploycheck

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Secret values for the delivery test; none may show up in Alertmanager's log.
const (
	deliverySlackPath = "/services/T0DELIVER/B0DELIVER/slackSecretPath42"
	deliveryPDKey     = "pdSECRETkey0123456789abcdef01234"
	deliverySMTPPass  = "smtpSECRETpass-5f3c"
)

// recorder captures the requests of the fake Slack and PagerDuty endpoints.
type recorder struct {
	mu       sync.Mutex
	requests []recorded
}

type recorded struct {
	path string
	body map[string]any
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	r.mu.Lock()
	r.requests = append(r.requests, recorded{path: req.URL.Path, body: body})
	r.mu.Unlock()
	if strings.HasPrefix(req.URL.Path, "/pagerduty") {
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status":"success","message":"Event processed","dedup_key":"x"}`))
		return
	}
	_, _ = w.Write([]byte("ok"))
}

func (r *recorder) find(pred func(recorded) bool) (recorded, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.requests {
		if pred(x) {
			return x, true
		}
	}
	return recorded{}, false
}

// fakeSMTP is a minimal SMTP server that accepts AUTH PLAIN and records the
// credentials and messages it receives.
type fakeSMTP struct {
	ln       net.Listener
	mu       sync.Mutex
	auths    []string // decoded "identity\x00user\x00password"
	messages []string
}

func startFakeSMTP(t *testing.T) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(l string) { _, _ = c.Write([]byte(l + "\r\n")) }
	say("220 localhost ESMTP fake")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		upper := strings.ToUpper(cmd)
		switch {
		case strings.HasPrefix(upper, "EHLO"):
			say("250-localhost")
			say("250-AUTH PLAIN")
			say("250 8BITMIME")
		case strings.HasPrefix(upper, "HELO"):
			say("250 localhost")
		case strings.HasPrefix(upper, "AUTH PLAIN"):
			arg := strings.TrimSpace(cmd[len("AUTH PLAIN"):])
			if arg == "" {
				say("334 ")
				l, _ := r.ReadString('\n')
				arg = strings.TrimSpace(l)
			}
			dec, _ := base64.StdEncoding.DecodeString(arg)
			s.mu.Lock()
			s.auths = append(s.auths, string(dec))
			s.mu.Unlock()
			say("235 2.7.0 Authentication successful")
		case strings.HasPrefix(upper, "MAIL FROM"), strings.HasPrefix(upper, "RCPT TO"), strings.HasPrefix(upper, "RSET"), strings.HasPrefix(upper, "NOOP"):
			say("250 OK")
		case upper == "DATA":
			say("354 End data with <CR><LF>.<CR><LF>")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				msg.WriteString(l)
			}
			s.mu.Lock()
			s.messages = append(s.messages, msg.String())
			s.mu.Unlock()
			say("250 OK: queued")
		case upper == "QUIT":
			say("221 Bye")
			return
		default:
			say("502 Command not implemented")
		}
	}
}

func (s *fakeSMTP) snapshot() (auths, messages []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...), append([]string(nil), s.messages...)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for a process writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, what string, timeout time.Duration, log *syncBuffer, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s; Alertmanager log:\n%s", timeout, what, log.String())
}

// TestAlertDelivery runs the real Alertmanager with this repository's
// alertmanager.yml and templates — only the secret file paths and the
// Slack/PagerDuty/SMTP endpoints are pointed at local stand-ins — and sends
// one alert per severity with `amtool alert add`.
func TestAlertDelivery(t *testing.T) {
	amBin := requireTool(t, "alertmanager", "prometheus-alertmanager")
	amtool := requireTool(t, "amtool")

	hooks := &recorder{}
	srv := httptest.NewServer(hooks)
	defer srv.Close()
	smtp := startFakeSMTP(t)

	dir := t.TempDir()
	copyTree(t, repoPath(t, "monitoring", "alertmanager"), filepath.Join(dir, "etc"))
	secrets := filepath.Join(dir, "secrets")
	writeFile(t, filepath.Join(secrets, "slack_webhook_url"), srv.URL+"/slack"+deliverySlackPath+"\n", 0o400)
	writeFile(t, filepath.Join(secrets, "pagerduty_routing_key"), deliveryPDKey+"\n", 0o400)
	writeFile(t, filepath.Join(secrets, "smtp_auth_password"), deliverySMTPPass, 0o400)

	cfgPath := filepath.Join(dir, "etc", "alertmanager.yml")
	cfg := readFile(t, cfgPath)
	cfg = strings.ReplaceAll(cfg, "/run/secrets/", secrets+"/")
	cfg = replaceOnce(t, cfg, "  smtp_smarthost: smtp.example.com:587\n", "  smtp_smarthost: "+smtp.ln.Addr().String()+"\n  pagerduty_url: "+srv.URL+"/pagerduty/v2/enqueue\n")
	cfg = replaceOnce(t, cfg, "  smtp_require_tls: true\n", "  smtp_require_tls: false\n")
	for _, w := range []string{"group_wait: 30s", "group_wait: 10s"} {
		if !strings.Contains(cfg, w) {
			t.Fatalf("alertmanager.yml no longer has %q; update this test", w)
		}
		cfg = strings.ReplaceAll(cfg, w, "group_wait: 1s")
	}
	writeFile(t, cfgPath, cfg, 0o644)

	port := freePort(t)
	amURL := fmt.Sprintf("http://127.0.0.1:%d", port)
	log := &syncBuffer{}
	cmd := exec.Command(amBin,
		"--config.file="+cfgPath,
		"--storage.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--web.external-url="+amURL,
		"--cluster.listen-address=",
		"--log.level=debug",
	)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitFor(t, "Alertmanager to be ready", 30*time.Second, log, func() bool {
		resp, err := http.Get(amURL + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	send := func(alertname, severity string) {
		t.Helper()
		r := run(t, dir, nil, amtool, "--alertmanager.url="+amURL, "alert", "add",
			"alertname="+alertname, "severity="+severity, "instance=connector:3000", "job=connector",
			"--annotation=summary="+alertname+" delivery test",
			"--annotation=description=Sent by TestAlertDelivery",
			"--annotation=runbook_url="+runbookPrefix+"runbook-"+strings.ToLower(alertname))
		if r.code != 0 {
			t.Fatalf("amtool alert add %s: exit %d\n%s", alertname, r.code, r.out)
		}
	}
	send("ConnectorDown", "critical")
	send("ConnectorHighErrorRate", "high")
	send("ConnectorHighLatency", "warning")

	// critical → PagerDuty, with the routing key read from its file.
	var pd recorded
	waitFor(t, "the PagerDuty event of the critical alert", 30*time.Second, log, func() bool {
		var ok bool
		pd, ok = hooks.find(func(r recorded) bool { return strings.HasPrefix(r.path, "/pagerduty") })
		return ok
	})
	if pd.body["routing_key"] != deliveryPDKey {
		t.Errorf("PagerDuty event routing_key is not the key from pagerduty_routing_key")
	}
	if p, _ := pd.body["payload"].(map[string]any); p == nil || !strings.Contains(fmt.Sprint(p["summary"]), "ConnectorDown") || p["severity"] != "critical" {
		t.Errorf("PagerDuty payload: %v", pd.body["payload"])
	}

	// critical and high → Slack, each on its channel, at the URL read from its file.
	slackFor := func(alertname string) (recorded, bool) {
		return hooks.find(func(r recorded) bool {
			if r.path != "/slack"+deliverySlackPath {
				return false
			}
			b, _ := json.Marshal(r.body)
			return strings.Contains(string(b), alertname)
		})
	}
	var crit, high recorded
	waitFor(t, "the Slack messages of the critical and high alerts", 30*time.Second, log, func() bool {
		var ok1, ok2 bool
		crit, ok1 = slackFor("ConnectorDown")
		high, ok2 = slackFor("ConnectorHighErrorRate")
		return ok1 && ok2
	})
	if crit.body["channel"] != "#connector-critical" || high.body["channel"] != "#connector-alerts" {
		t.Errorf("Slack channels: critical %v, high %v", crit.body["channel"], high.body["channel"])
	}
	if b, _ := json.Marshal(crit.body); !strings.Contains(string(b), "[FIRING:1] ConnectorDown (critical)") {
		t.Errorf("Slack message of the critical alert does not use the connector template: %s", b)
	}

	// warning → email, authenticated with the password read from its file.
	waitFor(t, "the email of the warning alert", 30*time.Second, log, func() bool {
		_, msgs := smtp.snapshot()
		return len(msgs) > 0
	})
	auths, msgs := smtp.snapshot()
	if len(auths) == 0 || !strings.HasSuffix(auths[0], "\x00alertmanager@example.com\x00"+deliverySMTPPass) {
		t.Errorf("SMTP AUTH did not use the user and the password from smtp_auth_password")
	}
	if !strings.Contains(msgs[0], "Subject: [FIRING:1] [warning] ConnectorHighLatency - M2M ILP Connector") {
		t.Errorf("email subject:\n%s", msgs[0])
	}

	// Nothing else: the warning reached neither Slack nor PagerDuty, the high alert not PagerDuty.
	time.Sleep(2 * time.Second)
	if _, ok := slackFor("ConnectorHighLatency"); ok {
		t.Error("the warning alert was posted to Slack")
	}
	if r, ok := hooks.find(func(r recorded) bool {
		b, _ := json.Marshal(r.body)
		return strings.HasPrefix(r.path, "/pagerduty") && !strings.Contains(string(b), "ConnectorDown")
	}); ok {
		t.Errorf("a non-critical alert reached PagerDuty: %v", r.body)
	}
	for _, m := range msgs {
		if strings.Contains(m, "ConnectorDown") || strings.Contains(m, "ConnectorHighErrorRate") {
			t.Errorf("a critical/high alert was emailed:\n%s", m)
		}
	}

	for _, secret := range []string{deliverySlackPath, deliveryPDKey, deliverySMTPPass} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("Alertmanager's log contains a secret value (%s...)", secret[:8])
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Errorf("Alertmanager storage: %v", err)
	}
}
