package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/redact"
	"github.com/rehearse/rehearse/reports"
)

// outputFlags are the output flags every command with a result document
// shares (run, capacity, compare, reproduce, plan, diff, scenarios run):
//
//	--format a,b,...   the formats that render the document (reports.Formats)
//	--out-dir DIR      write each format to DIR under its file name
//	-o FILE            also write the JSON document to FILE
//
// A command registers them with addOutputFlags, checks them with
// checkFormats in RunE, before any work, and writes with writeFormats once
// the document exists.
type outputFlags struct {
	Formats string
	OutDir  string
	Output  string
}

// addOutputFlags registers the output flags for documents like sample (a
// zero document, e.g. &plan.Plan{}): their help lists the formats and file
// names that apply to it. doc names the JSON document -o writes, e.g.
// "plan (rehearse.plan/v1)"; "" registers no -o.
func addOutputFlags(fs *pflag.FlagSet, o *outputFlags, sample any, doc string) {
	fs.StringVar(&o.Formats, "format", "table", "output formats, comma-separated: "+strings.Join(formatsFor(sample), ", ")+" (several need --out-dir)")
	fs.StringVar(&o.OutDir, "out-dir", "", "write each format to its own file in `DIR` ("+strings.Join(fileNamesFor(sample), ", ")+")")
	if doc != "" {
		fs.VarP((*jsonPath)(&o.Output), "output", "o", "also write the JSON "+doc+" to `FILE`")
	}
}

// jsonPath is -o's value: the JSON document's file. A name that ends as
// another format's file does (report.md, junit.xml, report.html, ...) is
// refused when the flag is parsed (exit 2): `-o report.md --format md`
// would otherwise write JSON into report.md.
type jsonPath string

func (p *jsonPath) String() string { return string(*p) }
func (p *jsonPath) Type() string   { return "string" }
func (p *jsonPath) Set(v string) error {
	ext := strings.ToLower(filepath.Ext(v))
	for _, f := range reports.Formats() {
		if f.Name != "json" && ext != "" && ext == filepath.Ext(f.File) {
			return fmt.Errorf("%s ends in %s, the %s format's file: -o writes the JSON document; for %s use --format %s with --out-dir DIR (or redirect standard output), or name the JSON file *.json", v, ext, f.Name, f.Name, f.Name)
		}
	}
	*p = jsonPath(v)
	return nil
}

// write writes doc as the output flags ask: the JSON document to -o, then
// the --format list (writeFormats); both are attempted, the first error
// returned.
func (o *outputFlags) write(io *ioStreams, doc any) error {
	var err error
	if o.Output != "" {
		err = writeFile(o.Output, "json", doc)
	}
	if ferr := writeFormats(io, doc, o.Formats, o.OutDir); err == nil {
		err = ferr
	}
	return err
}

// checkFormats validates a --format list against --out-dir and returns the
// format names, trimmed and lower-cased. Unknown names and several formats
// without --out-dir (they would be mixed on standard output) are usage
// errors with a hint. Call it before the work starts, so a typo does not
// cost a whole rehearsal.
func checkFormats(formats, outDir string) ([]string, error) {
	if err := checkOutDir("--out-dir", outDir); err != nil {
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(formats, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" || seen[n] {
			continue
		}
		if _, err := reports.Lookup(n); err != nil {
			return nil, usageError{rehearse.WithHint(fmt.Errorf("--format %q is not a format", n),
				"use one or more of: %s (comma-separated)", strings.Join(reports.Names(), ", "))}
		}
		seen[n] = true
		names = append(names, n)
	}
	if len(names) == 0 {
		return nil, usageError{rehearse.WithHint(errors.New("--format is empty"), "use one or more of: %s", strings.Join(reports.Names(), ", "))}
	}
	if len(names) > 1 && outDir == "" {
		return nil, usageError{rehearse.WithHint(fmt.Errorf("--format %s names %d formats but there is no --out-dir", formats, len(names)),
			"add --out-dir DIR to write each to its own file, or name one format")}
	}
	return names, nil
}

// checkFormatsFor is checkFormats for a command whose document type is
// known before the work starts (plan, diff): formats that do not apply to
// that type (sample: a zero document, e.g. &plan.Plan{}) are refused too,
// with a hint naming the ones that do.
func checkFormatsFor(formats, outDir string, sample any) ([]string, error) {
	names, err := checkFormats(formats, outDir)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if !reports.Supports(n, sample) {
			return nil, usageError{reports.Render(&bytes.Buffer{}, n, sample, reports.Options{})} // says which formats apply
		}
	}
	return names, nil
}

// formatsFor lists the formats that render documents like sample, for a
// command's --help.
func formatsFor(sample any) []string {
	var out []string
	for _, f := range reports.Formats() {
		if reports.Supports(f.Name, sample) {
			out = append(out, f.Name)
		}
	}
	return out
}

// fileNamesFor lists the --out-dir file names of the formats for sample.
func fileNamesFor(sample any) []string {
	var out []string
	for _, f := range reports.Formats() {
		if reports.Supports(f.Name, sample) {
			out = append(out, f.File)
		}
	}
	return out
}

// writeFormats renders doc (a *result.Report, or a plan or diff document:
// anything reports.Render takes) in each of the comma-separated formats.
//
// Without outDir the single format goes to standard output; the terminal
// table is coloured and sized to the terminal when io.Out is one (NO_COLOR
// turns colour off). With outDir (created if needed) each format goes to
// its own file, named by reports.Format.File (report.json, report.md,
// junit.xml, report.html, metrics.prom, report.txt), always plain, and
// "wrote PATH" goes to io.ErrOut; "table" is then also printed to standard
// output so a person running the command sees the verdict.
//
// Files are written whole or not at all (rendered in memory, written to a
// temporary file in the same folder, renamed), so a failure leaves no
// partial file. Credentials in doc are masked by the renderers. Formats
// that do not apply to doc (e.g. prom for a plan) are an error naming the
// ones that do, returned before anything is written.
func writeFormats(io *ioStreams, doc any, formats, outDir string) error {
	names, err := checkFormats(formats, outDir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !reports.Supports(n, doc) {
			return reports.Render(&bytes.Buffer{}, n, doc, reports.Options{}) // says which formats apply
		}
	}
	if outDir == "" {
		return renderToOut(io, names[0], doc)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return rehearse.WithHint(fmt.Errorf("create --out-dir: %w", err), "choose a folder you can write to")
	}
	for _, n := range names {
		f, _ := reports.Lookup(n)
		path := filepath.Join(outDir, f.File)
		if err := writeFile(path, n, doc); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "wrote %s\n", path)
	}
	for _, n := range names {
		if n == "table" {
			return renderToOut(io, n, doc)
		}
	}
	return nil
}

// writeDocument is what plan and diff write once their document exists:
// the --format list as writeFormats does, then the JSON document to output
// (-o FILE, when set; what `rehearse report` reads back).
func writeDocument(io *ioStreams, doc any, output, formats, outDir string) error {
	if err := writeFormats(io, doc, formats, outDir); err != nil {
		return err
	}
	if output == "" {
		return nil
	}
	if err := writeFile(output, "json", doc); err != nil {
		return rehearse.WithHint(err, "give -o a file in a folder that exists and you can write to")
	}
	fmt.Fprintf(io.ErrOut, "wrote %s\n", output)
	return nil
}

// renderToOut writes one format to standard output, adapted to a terminal.
func renderToOut(io *ioStreams, format string, doc any) error {
	opts := reports.Options{}
	if format == "table" && io.OutIsTTY {
		opts.Color = os.Getenv("NO_COLOR") == ""
		opts.Width = terminalWidth(io)
	}
	return reports.Render(io.Out, format, doc, opts)
}

// writeFile renders doc as format into path through the one writer
// (redact.WriteFile: credentials masked, whole or not at all).
func writeFile(path, format string, doc any) error {
	var b bytes.Buffer
	if err := reports.Render(&b, format, doc, reports.Options{}); err != nil {
		return err
	}
	if err := redact.WriteFile(path, b.Bytes(), redact.Perm); err != nil {
		return rehearse.WithHint(err, "choose a folder you can write to")
	}
	return nil
}

// terminalWidth is the width of the terminal io.Out is, or 0 (the
// renderer's default of 100) when it cannot tell.
func terminalWidth(io *ioStreams) int {
	f, ok := io.Out.(*os.File)
	if !ok {
		return 0
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 {
		return 0
	}
	return int(ws.Col)
}
