package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// The versions every build file must agree on.
const (
	NodeImage   = "node:22-alpine"
	NodeVersion = "22.11.0"
	EnginesNode = ">=22.11.0"
)

// Rule identifiers carried by findings.
const (
	RuleMissing         = "missing-file"
	RuleParse           = "parse"
	RuleSyntaxDirective = "syntax-directive"
	RuleBaseImage       = "base-image"
	RulePlatform        = "platform"
	RuleStageLayout     = "stage-layout"
	RuleApk             = "apk"
	RuleNvmrc           = "nvmrc"
	RuleEngines         = "engines"
	RuleNativeDep       = "native-dependency"
)

// Finding is one policy violation. Line is 1-based, 0 when the finding is
// about the file as a whole. Stage is the Dockerfile stage name ("#N" for an
// unnamed stage N, counted from 0), empty when not about a stage.
type Finding struct {
	File    string
	Line    int
	Stage   string
	Rule    string
	Message string
}

func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	if f.Stage != "" {
		return fmt.Sprintf("%s: stage %q: %s [%s]", loc, f.Stage, f.Message, f.Rule)
	}
	return fmt.Sprintf("%s: %s [%s]", loc, f.Message, f.Rule)
}

// DockerfileRules selects the checks for one Dockerfile.
type DockerfileRules struct {
	// BuildStages must exist and start FROM --platform=$BUILDPLATFORM.
	BuildStages []string
	// FinalStage, when set, must exist, be the last stage and carry no
	// --platform flag (it is built per target platform).
	FinalStage string
}

// Dockerfiles are the Dockerfiles CheckNodeAlignment reads, with their rules.
var Dockerfiles = []struct {
	Name  string
	Rules DockerfileRules
}{
	{"Dockerfile", DockerfileRules{BuildStages: []string{"builder", "ui-builder"}, FinalStage: "runtime"}},
	{"Dockerfile.dev", DockerfileRules{}},
}

// CheckAll runs every check of this package on the repository at repoDir.
func CheckAll(repoDir string) []Finding {
	return append(CheckNodeAlignment(repoDir), CheckLockfilePureJS(repoDir)...)
}

// CheckNodeAlignment checks Dockerfile and Dockerfile.dev (node:22-alpine in
// every stage, no syntax directive, no apk), .nvmrc and engines.node.
func CheckNodeAlignment(repoDir string) []Finding {
	var out []Finding
	for _, df := range Dockerfiles {
		content, err := os.ReadFile(filepath.Join(repoDir, df.Name))
		if err != nil {
			out = append(out, missing(df.Name, err))
			continue
		}
		out = append(out, CheckDockerfile(df.Name, content, df.Rules)...)
	}
	out = append(out, CheckNvmrc(repoDir)...)
	out = append(out, CheckEngines(repoDir)...)
	return out
}

func missing(name string, err error) Finding {
	msg := fmt.Sprintf("cannot read: %v", err)
	if errors.Is(err, fs.ErrNotExist) {
		msg = "file is missing"
	}
	return Finding{File: name, Rule: RuleMissing, Message: msg}
}

var apkWord = regexp.MustCompile(`(^|[^\w.-])apk([^\w.-]|$)`)

// CheckDockerfile parses one Dockerfile with BuildKit's parser and checks it.
// name is only used to label findings.
func CheckDockerfile(name string, content []byte, rules DockerfileRules) []Finding {
	var out []Finding
	add := func(line int, stage, rule, format string, args ...any) {
		out = append(out, Finding{File: name, Line: line, Stage: stage, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}

	if syntax, _, loc, ok := parser.DetectSyntax(content); ok {
		line := 1
		if len(loc) > 0 && loc[0].Start.Line > 0 {
			line = loc[0].Start.Line
		}
		add(line, "", RuleSyntaxDirective,
			"syntax directive %q makes BuildKit pull the docker/dockerfile frontend image; remove it and use the builtin frontend", syntax)
	}

	res, err := parser.Parse(bytes.NewReader(content))
	if err != nil {
		add(0, "", RuleParse, "BuildKit cannot parse this Dockerfile: %v", err)
		return out
	}

	type stageInfo struct {
		name     string
		line     int
		platform string
		baseOK   bool
	}
	var stages []stageInfo
	globalArgs := map[string]string{}
	lex := shell.NewLex(res.EscapeToken)

	for _, node := range res.AST.Children {
		switch strings.ToLower(node.Value) {
		case "arg":
			if len(stages) > 0 {
				continue // stage-scoped ARGs cannot change a FROM line
			}
			for n := node.Next; n != nil; n = n.Next {
				k, v, _ := strings.Cut(n.Value, "=")
				globalArgs[k] = strings.Trim(v, `"'`)
			}
		case "from":
			st := stageInfo{name: fmt.Sprintf("#%d", len(stages)), line: node.StartLine}
			var image string
			if node.Next != nil {
				image = node.Next.Value
				if as := node.Next.Next; as != nil && strings.EqualFold(as.Value, "as") && as.Next != nil {
					st.name = as.Next.Value
				}
			}
			for _, flag := range node.Flags {
				if v, ok := strings.CutPrefix(flag, "--platform="); ok {
					st.platform = v
				} else {
					add(st.line, st.name, RuleParse, "unexpected FROM flag %q", flag)
				}
			}
			if st.platform != "" && st.platform != "$BUILDPLATFORM" && st.platform != "${BUILDPLATFORM}" {
				add(st.line, st.name, RulePlatform,
					"--platform=%s pins the stage to one platform; use --platform=$BUILDPLATFORM for build stages or no flag for per-target stages", st.platform)
			}
			resolved, err := expand(lex, image, globalArgs)
			if err != nil {
				add(st.line, st.name, RuleBaseImage, "cannot expand base image %q: %v", image, err)
			}
			// FROM <earlier stage> inherits that stage's base.
			for _, prev := range stages {
				if strings.EqualFold(prev.name, resolved) {
					st.baseOK = prev.baseOK
					resolved = ""
					break
				}
			}
			if resolved != "" {
				st.baseOK = normalizeImage(resolved) == NodeImage
				if !st.baseOK {
					shown := fmt.Sprintf("%q", image)
					if resolved != image {
						shown = fmt.Sprintf("%q (%q)", image, resolved)
					}
					add(st.line, st.name, RuleBaseImage, "base image %s is not %s", shown, NodeImage)
				}
			}
			stages = append(stages, st)
		case "run":
			text := node.Original
			for _, h := range node.Heredocs {
				text += "\n" + h.Content
			}
			if apkWord.MatchString(text) {
				stage := ""
				if len(stages) > 0 {
					stage = stages[len(stages)-1].name
				}
				add(node.StartLine, stage, RuleApk,
					"uses apk; the builder's node:22-alpine may be a Debian-based stand-in without apk, so use only node, npm and POSIX sh")
			}
		}
	}

	if len(stages) == 0 {
		add(0, "", RuleParse, "no FROM instruction")
	}
	byName := map[string]stageInfo{}
	for _, st := range stages {
		byName[st.name] = st
	}
	for _, want := range rules.BuildStages {
		st, ok := byName[want]
		switch {
		case !ok:
			add(0, want, RuleStageLayout, "stage %q is missing", want)
		case st.platform == "":
			add(st.line, want, RuleStageLayout,
				"build stage must start FROM --platform=$BUILDPLATFORM so it runs natively, not under QEMU")
		}
	}
	if rules.FinalStage != "" {
		st, ok := byName[rules.FinalStage]
		switch {
		case !ok:
			add(0, rules.FinalStage, RuleStageLayout, "stage %q is missing", rules.FinalStage)
		case stages[len(stages)-1].name != rules.FinalStage:
			add(stages[len(stages)-1].line, stages[len(stages)-1].name, RuleStageLayout,
				"the last stage must be %q (the default build target)", rules.FinalStage)
		case st.platform != "":
			add(st.line, st.name, RuleStageLayout,
				"the runtime stage must not set --platform: it is built once per target platform")
		}
	}
	return out
}

func expand(lex *shell.Lex, word string, args map[string]string) (string, error) {
	if !strings.Contains(word, "$") {
		return word, nil
	}
	env := make([]string, 0, len(args))
	for k, v := range args {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	out, _, err := lex.ProcessWord(word, shell.EnvsFromSlice(env))
	return out, err
}

// normalizeImage drops the docker.io/library/ prefix and a digest, so that
// docker.io/library/node:22-alpine@sha256:... counts as node:22-alpine.
func normalizeImage(ref string) string {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	for _, p := range []string{"docker.io/library/", "index.docker.io/library/", "library/"} {
		if r, ok := strings.CutPrefix(ref, p); ok {
			return r
		}
	}
	return ref
}

// CheckNvmrc checks that .nvmrc holds exactly NodeVersion.
func CheckNvmrc(repoDir string) []Finding {
	content, err := os.ReadFile(filepath.Join(repoDir, ".nvmrc"))
	if err != nil {
		return []Finding{missing(".nvmrc", err)}
	}
	if got := strings.TrimSpace(string(content)); got != NodeVersion {
		return []Finding{{File: ".nvmrc", Line: 1, Rule: RuleNvmrc,
			Message: fmt.Sprintf(".nvmrc is %q, want %q", got, NodeVersion)}}
	}
	return nil
}

// CheckEngines checks engines.node in package.json and in the root entry of
// package-lock.json (npm copies it there; the two must not drift).
func CheckEngines(repoDir string) []Finding {
	var out []Finding
	var pkg struct {
		Engines map[string]string `json:"engines"`
	}
	if f, ok := readJSON(repoDir, "package.json", &pkg); !ok {
		out = append(out, f)
	} else if got := pkg.Engines["node"]; got != EnginesNode {
		out = append(out, Finding{File: "package.json", Line: lineOf(repoDir, "package.json", `"engines"`), Rule: RuleEngines,
			Message: fmt.Sprintf("engines.node is %q, want %q", got, EnginesNode)})
	}
	var lock struct {
		Packages map[string]struct {
			Engines map[string]string `json:"engines"`
		} `json:"packages"`
	}
	if f, ok := readJSON(repoDir, "package-lock.json", &lock); !ok {
		out = append(out, f)
	} else if got := lock.Packages[""].Engines["node"]; got != EnginesNode {
		out = append(out, Finding{File: "package-lock.json", Rule: RuleEngines,
			Message: fmt.Sprintf(`packages[""].engines.node is %q, want %q: run npm install to refresh the lockfile`, got, EnginesNode)})
	}
	return out
}

// CheckLockfilePureJS checks that no production package in package-lock.json
// is native or platform-specific: no install scripts (which includes
// node-gyp builds), no gypfile, no os/cpu restriction. This is what makes
// copying node_modules from the $BUILDPLATFORM builder stage into every
// target platform's runtime stage correct.
func CheckLockfilePureJS(repoDir string) []Finding {
	var lock struct {
		LockfileVersion int                        `json:"lockfileVersion"`
		Packages        map[string]json.RawMessage `json:"packages"`
	}
	if f, ok := readJSON(repoDir, "package-lock.json", &lock); !ok {
		return []Finding{f}
	}
	if lock.LockfileVersion < 2 || lock.Packages == nil {
		return []Finding{{File: "package-lock.json", Rule: RuleParse,
			Message: fmt.Sprintf("lockfileVersion %d has no packages map; regenerate it with npm 9 or later", lock.LockfileVersion)}}
	}
	var out []Finding
	paths := make([]string, 0, len(lock.Packages))
	for p := range lock.Packages {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if p == "" {
			continue
		}
		var meta struct {
			Dev              bool     `json:"dev"`
			HasInstallScript bool     `json:"hasInstallScript"`
			Gypfile          bool     `json:"gypfile"`
			OS               []string `json:"os"`
			CPU              []string `json:"cpu"`
		}
		if err := json.Unmarshal(lock.Packages[p], &meta); err != nil {
			out = append(out, Finding{File: "package-lock.json", Rule: RuleParse, Message: fmt.Sprintf("%s: %v", p, err)})
			continue
		}
		if meta.Dev {
			continue // dev dependencies never reach the runtime image
		}
		var why []string
		if meta.HasInstallScript {
			why = append(why, "has an install script")
		}
		if meta.Gypfile {
			why = append(why, "has a binding.gyp")
		}
		if len(meta.OS) > 0 || len(meta.CPU) > 0 {
			why = append(why, fmt.Sprintf("is restricted to os=%v cpu=%v", meta.OS, meta.CPU))
		}
		if len(why) > 0 {
			out = append(out, Finding{File: "package-lock.json", Line: lineOf(repoDir, "package-lock.json", fmt.Sprintf("%q:", p)), Rule: RuleNativeDep,
				Message: fmt.Sprintf("production package %s %s; its node_modules are not arch-neutral, so install production dependencies in the runtime stage or drop it",
					strings.TrimPrefix(p, "node_modules/"), strings.Join(why, " and "))})
		}
	}
	return out
}

func readJSON(repoDir, name string, v any) (Finding, bool) {
	content, err := os.ReadFile(filepath.Join(repoDir, name))
	if err != nil {
		return missing(name, err), false
	}
	if err := json.Unmarshal(content, v); err != nil {
		return Finding{File: name, Rule: RuleParse, Message: fmt.Sprintf("invalid JSON: %v", err)}, false
	}
	return Finding{}, true
}

// lineOf returns the 1-based line of the first occurrence of needle in the
// file, or 0.
func lineOf(repoDir, name, needle string) int {
	content, err := os.ReadFile(filepath.Join(repoDir, name))
	if err != nil {
		return 0
	}
	i := bytes.Index(content, []byte(needle))
	if i < 0 {
		return 0
	}
	return bytes.Count(content[:i], []byte("\n")) + 1
}
