package deploycheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The operator guides' relative links and #anchors resolve.
func TestOperatorDocsLinks(t *testing.T) {
	docs, err := filepath.Glob(repoPath(t, "docs", "operators", "*.md"))
	if err != nil || len(docs) < 2 {
		t.Fatalf("want the operator guides under docs/operators, found %v (%v)", docs, err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, doc := range docs {
		text := readFile(t, doc)
		// Links inside fenced code blocks are examples, not links.
		var prose strings.Builder
		inFence := false
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "```") {
				inFence = !inFence
				continue
			}
			if !inFence {
				prose.WriteString(l + "\n")
			}
		}
		for _, m := range link.FindAllStringSubmatch(prose.String(), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := doc
			if file != "" {
				path = filepath.Join(filepath.Dir(doc), file)
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: link %s: %v", filepath.Base(doc), target, err)
					continue
				}
			}
			if anchor != "" && !githubAnchors(readFile(t, path))[anchor] {
				t.Errorf("%s: link %s: no heading with anchor #%s in %s", filepath.Base(doc), target, anchor, filepath.Base(path))
			}
		}
	}
}
