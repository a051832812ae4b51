package reports

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// Options shape a rendering. The zero value renders plain output for a
// 100-column reader.
type Options struct {
	// Color turns on ANSI colours (terminal table only). Set it when the
	// writer is a terminal.
	Color bool
	// Width is the reader's line width in columns (terminal table); 0 means
	// 100.
	Width int
	// MaxBytes bounds the Markdown output (GitHub's comment limit is 65,536
	// characters); 0 means DefaultMarkdownBudget.
	MaxBytes int
	// DocsBase makes relative documentation links absolute; "" means
	// DefaultDocsBase.
	DocsBase string
}

func (o Options) width() int {
	if o.Width <= 0 {
		return 100
	}
	return o.Width
}

// Format is one output format. Each format lives in its own file and
// registers itself; a nil renderer means the format does not apply to that
// kind of document.
type Format struct {
	Name   string // as given to --format
	File   string // file name written by --out-dir
	Doc    string // one line for --help
	Report func(io.Writer, *result.Report, Options) error
	// Other renders documents other than run reports (plans, diffs); it
	// returns errUnsupported for types it does not know.
	Other func(io.Writer, any, Options) error
}

var registry = map[string]Format{}

func register(f Format) {
	if _, dup := registry[f.Name]; dup {
		panic("reports: format registered twice: " + f.Name)
	}
	registry[f.Name] = f
}

// errUnsupported is returned by Format.Other for document types the format
// does not render.
var errUnsupported = errors.New("unsupported document")

// Formats lists the registered formats in a stable order.
func Formats() []Format {
	order := map[string]int{"table": 0, "md": 1, "junit": 2, "html": 3, "json": 4, "prom": 5}
	out := make([]Format, 0, len(registry))
	for _, f := range registry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iok := order[out[i].Name]
		oj, jok := order[out[j].Name]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Names lists the registered format names, in the order of Formats.
func Names() []string {
	var n []string
	for _, f := range Formats() {
		n = append(n, f.Name)
	}
	return n
}

// Lookup returns the named format, or an error with a hint listing the
// known ones.
func Lookup(name string) (Format, error) {
	f, ok := registry[name]
	if !ok {
		return Format{}, rehearse.WithHint(fmt.Errorf("unknown report format %q", name),
			"use one of: %s", strings.Join(Names(), ", "))
	}
	return f, nil
}

// Render writes doc in the named format. doc is a *result.Report or another
// document type a format supports (see Supports). Credentials in the
// document's strings are redacted first; doc itself is not modified.
func Render(w io.Writer, format string, doc any, opts Options) error {
	f, err := Lookup(format)
	if err != nil {
		return err
	}
	clean, err := Redacted(doc)
	if err != nil {
		return err
	}
	if r, ok := clean.(*result.Report); ok {
		if f.Report == nil {
			return unsupported(format, doc)
		}
		return f.Report(w, r, opts)
	}
	if f.Other == nil {
		return unsupported(format, doc)
	}
	err = f.Other(w, clean, opts)
	if errors.Is(err, errUnsupported) {
		return unsupported(format, doc)
	}
	return err
}

// Supports tells whether the named format renders documents like doc.
func Supports(format string, doc any) bool {
	f, ok := registry[format]
	if !ok {
		return false
	}
	if _, ok := doc.(*result.Report); ok {
		return f.Report != nil
	}
	if f.Other == nil {
		return false
	}
	return !errors.Is(f.Other(io.Discard, doc, Options{}), errUnsupported)
}

func unsupported(format string, doc any) error {
	var ok []string
	for _, f := range Formats() {
		if Supports(f.Name, doc) {
			ok = append(ok, f.Name)
		}
	}
	return rehearse.WithHint(fmt.Errorf("format %q does not apply to a %s", format, docKind(doc)),
		"use one of: %s", strings.Join(ok, ", "))
}

func docKind(doc any) string {
	switch doc.(type) {
	case *result.Report:
		return "run report"
	case *snapshot.DiffReport:
		return "snapshot diff"
	case *plan.Plan:
		return "plan"
	case *result.Reproduction:
		return "reproduction"
	case *result.Comparison:
		return "strategy comparison"
	}
	return fmt.Sprintf("%T", doc)
}
