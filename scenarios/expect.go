package scenarios

import (
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Expectations are what must hold in a variant's report for the scenario to
// count as reproduced. They are data (expect.yaml), one block per variant:
//
//	unsafe:
//	  verdict: fail
//	  assert:
//	    - statement 20240306#1 lock_wait_s >= 5
//	    - finding RH* present migration=20240306
//	    - that: statement 20240801#1 algorithm == COPY
//	      on: mariadb<11.2
//
// The assertion language is described on Assertion.
type Expectations struct {
	Variant string
	File    string // for messages: "<scenario>/expect.yaml"
	// Verdict is the expected verdict (pass, fail); "" does not check it.
	Verdict    string
	Assertions []Assertion
}

// Assertion is one line of expectations:
//
//	verdict OP VALUE
//	statement VERSION#N PATH OP VALUE   a statement of a migration (result.Statement)
//	migration VERSION PATH OP VALUE     a migration (result.Migration)
//	rollback VERSION PATH OP VALUE      one migration's down (result.MigrationRollback)
//	gate NAME[@SCOPE] PATH OP VALUE     a gate (result.Gate); by NAME alone, all its
//	                                    scopes: passed only if each passed, value the highest
//	report PATH OP VALUE                any field of the report
//	finding CODE present|absent [key=value ...]   CODE may be a glob (RH2*, *);
//	                                    keys: migration, table, severity, statement, message (substring)
//	app_compat failure on table TABLE [code N]
//	app_compat none
//	injection KIND present|absent
//
// PATH is a dotted path of JSON field names of the result document
// (during.p99_ms, partial.down_recovers). OP is one of == != >= <= > <
// contains. VALUE is a number, a word, true/false, or a JSON list ([1]).
type Assertion struct {
	Text string
	Line int
	// On restricts the assertion to some servers, a comma-separated list
	// of "mariadb", "mysql", "mariadb<11.2", "mysql>=9.0". Empty means
	// every server.
	On string
}

// ParseExpectations reads an expect.yaml and returns the block of the named
// variant. name is used in messages. Every assertion is parsed up front so a
// typo is reported with its line, not when a rehearsal has run.
func ParseExpectations(name string, data []byte, variant string) (*Expectations, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: expected a mapping of variant names to expectations", name)
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != variant {
			continue
		}
		return parseVariantBlock(name, variant, root.Content[i+1])
	}
	return nil, fmt.Errorf("%s: no expectations for variant %q", name, variant)
}

func parseVariantBlock(name, variant string, n *yaml.Node) (*Expectations, error) {
	var raw struct {
		Verdict string      `yaml:"verdict"`
		Assert  []yaml.Node `yaml:"assert"`
	}
	if err := n.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", name, variant, err)
	}
	switch raw.Verdict {
	case "", "pass", "fail", "error":
	default:
		return nil, fmt.Errorf("%s:%d: verdict %q: use pass, fail or error", name, n.Line, raw.Verdict)
	}
	e := &Expectations{Variant: variant, File: name, Verdict: raw.Verdict}
	for _, an := range raw.Assert {
		a := Assertion{Line: an.Line}
		switch an.Kind {
		case yaml.ScalarNode:
			a.Text = an.Value
		case yaml.MappingNode:
			var m struct {
				That string `yaml:"that"`
				On   string `yaml:"on"`
			}
			if err := an.Decode(&m); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, an.Line, err)
			}
			a.Text, a.On = m.That, m.On
		default:
			return nil, fmt.Errorf("%s:%d: an assertion is a line of text or {that: ..., on: ...}", name, an.Line)
		}
		if _, err := parseAssertion(a.Text); err != nil {
			return nil, fmt.Errorf("%s:%d: %q: %w", name, an.Line, a.Text, err)
		}
		if a.On != "" {
			if _, err := targeted(a.On, "", ""); err != nil {
				return nil, fmt.Errorf("%s:%d: on %q: %w", name, an.Line, a.On, err)
			}
		}
		e.Assertions = append(e.Assertions, a)
	}
	return e, nil
}

// Expectations returns the named variant's expectations from the scenario's
// expect.yaml.
func (s *Scenario) Expectations(variant string) (*Expectations, error) {
	v, err := s.Variant(variant)
	if err != nil {
		return nil, err
	}
	b, err := s.ReadFile("expect.yaml")
	if err != nil {
		return nil, err
	}
	return ParseExpectations(path.Join(s.Name, "expect.yaml"), b, v.Name)
}

// String renders the expectations as the lines they were written as.
func (e *Expectations) String() string {
	var b strings.Builder
	if e.Verdict != "" {
		fmt.Fprintf(&b, "verdict == %s\n", e.Verdict)
	}
	for _, a := range e.Assertions {
		b.WriteString(a.Text)
		if a.On != "" {
			fmt.Fprintf(&b, "   (on %s)", a.On)
		}
		b.WriteString("\n")
	}
	return b.String()
}
