package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// The CI examples in docs/ci parse, and every rehearse command they run
// exists in this build with the flags they pass.

const ciDir = "../../docs/ci"

// rehearseCommands finds the rehearse invocations in shell text: lines
// joined at trailing backslashes, each line starting with "rehearse ",
// cut at the first shell operator.
func rehearseCommands(script string) [][]string {
	script = regexp.MustCompile(`\\\r?\n`).ReplaceAllString(script, " ")
	var out [][]string
	for _, line := range strings.Split(script, "\n") {
		words := shellWords(strings.TrimSpace(line))
		if len(words) == 0 || words[0] != "rehearse" {
			continue
		}
		out = append(out, words)
	}
	return out
}

// shellWords splits a command line on blanks, honouring quotes, and stops
// at |, >, >>, &&, || and ;.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	for i, w := range words {
		switch w {
		case "|", ">", ">>", "&&", "||", ";":
			return words[:i]
		}
	}
	return words
}

// checkCommand resolves a rehearse command line against the real cobra tree
// and returns the parsed flag values it uses.
func checkCommand(t *testing.T, where string, words []string) map[string]string {
	t.Helper()
	var buf bytes.Buffer
	root := newRootCmd(&ioStreams{In: strings.NewReader(""), Out: &buf, ErrOut: &buf})
	cmd, rest, err := root.Find(words[1:])
	if err != nil || cmd == root {
		t.Errorf("%s: %q is not a rehearse command: %v", where, strings.Join(words, " "), err)
		return nil
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("%s: rehearse %s: %v", where, cmd.Name(), err)
		return nil
	}
	if cmd.Args != nil {
		if err := cmd.Args(cmd, cmd.Flags().Args()); err != nil {
			t.Errorf("%s: rehearse %s arguments: %v", where, cmd.Name(), err)
		}
	}
	vals := map[string]string{"command": cmd.Name()}
	for _, name := range []string{"format", "out-dir", "snapshot", "migrations"} {
		if f := cmd.Flags().Lookup(name); f != nil {
			vals[name] = f.Value.String()
		}
	}
	if vals["format"] != "" {
		if _, err := checkFormats(vals["format"], vals["out-dir"]); err != nil {
			t.Errorf("%s: --format %s --out-dir %q: %v", where, vals["format"], vals["out-dir"], err)
		}
	}
	return vals
}

func readCI(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ciDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestShellWords(t *testing.T) {
	got := shellWords(`rehearse report "a b.json" --format 'md' >> "$GITHUB_STEP_SUMMARY"`)
	want := []string{"rehearse", "report", "a b.json", "--format", "md"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
}

// The checker can fail: an unknown flag and an unknown command are caught.
func TestCICheckerCatchesMistakes(t *testing.T) {
	for _, line := range []string{"rehearse run --snapshot s.json --no-such-flag", "rehearse rehears"} {
		var buf bytes.Buffer
		root := newRootCmd(&ioStreams{In: strings.NewReader(""), Out: &buf, ErrOut: &buf})
		words := shellWords(line)
		cmd, rest, err := root.Find(words[1:])
		if err == nil && cmd != root && cmd.ParseFlags(rest) == nil {
			t.Errorf("%q passed the check", line)
		}
	}
}

func TestGitHubActionsExample(t *testing.T) {
	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				If   string            `yaml:"if"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(readCI(t, "github-actions.yml")), &wf); err != nil {
		t.Fatalf("github-actions.yml: %v", err)
	}
	if _, ok := wf.On["pull_request"]; !ok {
		t.Error("the workflow does not run on pull requests")
	}
	var outDir, formats, summary, uploaded string
	commands := 0
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			for _, words := range rehearseCommands(st.Run) {
				commands++
				v := checkCommand(t, "github-actions.yml step "+st.Name, words)
				if v["command"] == "run" {
					outDir, formats = v["out-dir"], v["format"]
				}
			}
			if strings.Contains(st.Run, `>> "$GITHUB_STEP_SUMMARY"`) {
				summary = st.Run
			}
			if strings.HasPrefix(st.Uses, "actions/upload-artifact@") {
				uploaded = st.With["path"]
				if st.If != "always()" {
					t.Errorf("the upload runs only on success (if: %q): a failed rehearsal's report would be lost", st.If)
				}
			}
		}
	}
	if commands == 0 || outDir == "" {
		t.Fatal("no rehearse run --out-dir in the workflow")
	}
	if !strings.Contains(formats, "md") || !strings.Contains(formats, "html") {
		t.Errorf("--format %s lacks md or html", formats)
	}
	if !strings.Contains(summary, filepath.Join(outDir, "report.md")) {
		t.Errorf("the step summary does not get %s/report.md: %q", outDir, summary)
	}
	if strings.TrimSuffix(uploaded, "/") != strings.TrimSuffix(outDir, "/") {
		t.Errorf("uploads %q, but the reports are in %q", uploaded, outDir)
	}
}

func TestGitLabExample(t *testing.T) {
	var ci map[string]any
	if err := yaml.Unmarshal([]byte(readCI(t, "gitlab-ci.yml")), &ci); err != nil {
		t.Fatalf("gitlab-ci.yml: %v", err)
	}
	raw, _ := yaml.Marshal(ci["rehearse-migrations"])
	var job struct {
		Stage     string   `yaml:"stage"`
		Script    []string `yaml:"script"`
		Artifacts struct {
			When    string   `yaml:"when"`
			Paths   []string `yaml:"paths"`
			Reports struct {
				JUnit string `yaml:"junit"`
			} `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	if err := yaml.Unmarshal(raw, &job); err != nil {
		t.Fatal(err)
	}
	var outDir, formats string
	for _, line := range job.Script {
		for _, words := range rehearseCommands(line) {
			v := checkCommand(t, "gitlab-ci.yml", words)
			if v["command"] == "run" {
				outDir, formats = v["out-dir"], v["format"]
			}
		}
	}
	if outDir == "" || !strings.Contains(formats, "junit") {
		t.Fatalf("no rehearse run writing junit to an --out-dir (format %q, out-dir %q)", formats, outDir)
	}
	if job.Artifacts.Reports.JUnit != filepath.Join(outDir, "junit.xml") {
		t.Errorf("artifacts:reports:junit is %q, the report is %s/junit.xml", job.Artifacts.Reports.JUnit, outDir)
	}
	if job.Artifacts.When != "always" {
		t.Error("artifacts are kept only on success: a failed rehearsal's report would be lost")
	}
}

func TestJenkinsfileExample(t *testing.T) {
	src := readCI(t, "Jenkinsfile")
	if strings.Count(src, "{") != strings.Count(src, "}") || strings.Count(src, "(") != strings.Count(src, ")") || strings.Count(src, "[") != strings.Count(src, "]") {
		t.Error("unbalanced braces or brackets")
	}
	stage := func(name string) int { return strings.Index(src, "stage('"+name+"')") }
	test, rehearse, deploy := stage("Test"), stage("Rehearse migrations"), stage("Deploy")
	if test < 0 || rehearse < test || deploy < rehearse {
		t.Errorf("stages out of order: Test at %d, Rehearse migrations at %d, Deploy at %d", test, rehearse, deploy)
	}
	scripts := regexp.MustCompile(`(?s)'''(.*?)'''`).FindAllStringSubmatch(src, -1)
	var outDir, formats string
	for _, s := range scripts {
		for _, words := range rehearseCommands(s[1]) {
			v := checkCommand(t, "Jenkinsfile", words)
			if v["command"] == "run" {
				outDir, formats = v["out-dir"], v["format"]
			}
		}
	}
	if outDir != "$REHEARSAL" || !strings.Contains(src, "REHEARSAL = 'rehearsal'") {
		t.Fatalf("the rehearse run --out-dir is %q, expected $REHEARSAL = 'rehearsal'", outDir)
	}
	for _, want := range []string{"junit", "html"} {
		if !strings.Contains(formats, want) {
			t.Errorf("--format %s lacks %s", formats, want)
		}
	}
	for _, want := range []string{
		"returnStatus: true", "code == 1", "error(",
		"testResults: 'rehearsal/junit.xml'", "reportDir: 'rehearsal'", "reportFiles: 'report.html'",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the Jenkinsfile lacks %q", want)
		}
	}
	if !strings.Contains(src[rehearse:deploy], "always {") {
		t.Error("the reports are not published when the stage fails (post { always { ... } })")
	}
}
