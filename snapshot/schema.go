package snapshot

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaV1 is the JSON Schema of rehearse.snapshot/v1 documents (also at
// snapshot/schema/rehearse.snapshot.v1.json in the repository).
//
//go:embed schema/rehearse.snapshot.v1.json
var SchemaV1 []byte

const schemaURL = "https://github.com/rehearse/rehearse/snapshot/schema/rehearse.snapshot.v1.json"

// ReadableFormats lists the format markers this build reads.
var ReadableFormats = []string{FormatV1}

var (
	compiledOnce sync.Once
	compiled     *jsonschema.Schema
	compileErr   error
)

func schemaV1() (*jsonschema.Schema, error) {
	compiledOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaV1))
		if err != nil {
			compileErr = fmt.Errorf("embedded snapshot schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource(schemaURL, doc); err != nil {
			compileErr = fmt.Errorf("embedded snapshot schema: %w", err)
			return
		}
		compiled, compileErr = c.Compile(schemaURL)
	})
	return compiled, compileErr
}

// schemaProblem is one violation: where in the document, and what.
type schemaProblem struct {
	Path    string
	Message string
}

// leafProblems flattens a validation error to its innermost causes, each
// with its JSON path ("/schemas/0/tables/3/columns/1/type").
func leafProblems(ve *jsonschema.ValidationError, doc any) []schemaProblem {
	p := message.NewPrinter(language.English)
	var out []schemaProblem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			path := "/" + strings.Join(e.InstanceLocation, "/")
			if what := objectAt(doc, e.InstanceLocation); what != "" {
				path += " (" + what + ")"
			}
			out = append(out, schemaProblem{Path: path, Message: e.ErrorKind.LocalizedString(p)})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Path) > len(out[j].Path) })
	seen := map[string]bool{}
	uniq := out[:0]
	for _, pr := range out {
		k := pr.Path + pr.Message
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, pr)
		}
	}
	return uniq
}

// objectAt names the objects along a JSON path of a snapshot document
// ("table sakila.film, column title") so a person can find them without
// counting array elements.
func objectAt(doc any, loc []string) string {
	var names []string
	cur := doc
	for i, seg := range loc {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			n := -1
			fmt.Sscan(seg, &n)
			if n < 0 || n >= len(c) {
				return strings.Join(names, ", ")
			}
			cur = c[n]
			if m, ok := cur.(map[string]any); ok && i > 0 {
				kind := strings.TrimSuffix(loc[i-1], "s")
				if name, ok := m["name"].(string); ok {
					names = append(names, kind+" "+name)
				} else if v, ok := m["version"].(string); ok {
					names = append(names, kind+" "+v)
				}
			}
		default:
			return strings.Join(names, ", ")
		}
	}
	return strings.Join(names, ", ")
}
