package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/reports"
	"github.com/rehearse/rehearse/snapshot"
)

func init() { subcommands = append(subcommands, newReportCmd) }

type reportOptions struct {
	io      *ioStreams
	File    string
	Formats string
	OutDir  string
	Output  string
}

func newReportCmd(io *ioStreams) *cobra.Command {
	opts := &reportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "report FILE.json",
		Short: "Render a saved result (run report, plan or diff) as a table, Markdown, JUnit, HTML, JSON or Prometheus text",
		Long: `Render a result document that rehearse saved as JSON (` + "`rehearse run -o report.json`" + `,
` + "`rehearse plan -o plan.json`" + `, ` + "`rehearse diff -o diff.json`" + `) in the forms people and CI tools read:

  table   the verdict first, then one row per migration statement (coloured on a terminal)
  md      Markdown for a pull-request comment or GitHub's step summary (under GitHub's size limit)
  junit   JUnit XML: one test case per statement and per gate, for Jenkins, GitLab and GitHub reporters
  html    one self-contained page with the timeline chart (opens from a CI artifact store)
  json    the document itself, indented
  prom    Prometheus text exposition for a textfile collector or a Pushgateway

FILE may be - for standard input. Passwords found in the document (DSNs, password=...)
are masked in every output. The command renders; it does not judge: it exits 0 whatever
the verdict in the document (the verdict's exit code is rehearse run's).`,
		Example: `  rehearse report report.json
  rehearse report report.json --format md >> "$GITHUB_STEP_SUMMARY"
  rehearse report report.json --format html -o report.html
  rehearse report report.json --format junit,html,md,prom --out-dir out/
  rehearse run ... --format json | rehearse report - --format table`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.Output != "" && (opts.OutDir != "" || strings.Contains(opts.Formats, ",")) {
				return usageError{errors.New("-o writes one format to one file; use --out-dir for several")}
			}
			if _, err := checkFormats(opts.Formats, opts.OutDir); err != nil {
				return err
			}
			if err := checkOutFile("-o", opts.Output); err != nil {
				return err
			}
			return reportRun(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Formats, "format", "table", "output formats, comma-separated: "+strings.Join(reports.Names(), ", ")+" (several need --out-dir)")
	fs.StringVar(&opts.OutDir, "out-dir", "", "write each format to its own file in `DIR` (report.json, report.md, junit.xml, report.html, metrics.prom, report.txt)")
	fs.StringVarP(&opts.Output, "output", "o", "", "write the format to `FILE` instead of standard output")
	return cmd
}

func reportRun(opts *reportOptions) error {
	doc, err := loadDocument(opts.io, opts.File)
	if err != nil {
		return err
	}
	if opts.Output != "" && opts.Output != "-" {
		format := strings.ToLower(strings.TrimSpace(opts.Formats))
		if !reports.Supports(format, doc) {
			return writeFormats(opts.io, doc, format, "") // explains which formats apply
		}
		return writeFile(opts.Output, format, doc)
	}
	return writeFormats(opts.io, doc, opts.Formats, opts.OutDir)
}

// documentDecoders turn a document's JSON into its type, by its "format"
// marker. Other result documents (plans, diffs) register here.
var documentDecoders = map[string]func([]byte) (any, error){
	result.FormatV1: func(raw []byte) (any, error) {
		var r result.Report
		err := json.Unmarshal(raw, &r)
		return &r, err
	},
	plan.FormatV1: func(raw []byte) (any, error) {
		var p plan.Plan
		err := json.Unmarshal(raw, &p)
		return &p, err
	},
	diffDocument: func(raw []byte) (any, error) {
		var d snapshot.DiffReport
		err := json.Unmarshal(raw, &d)
		return &d, err
	},
}

// diffDocument names `rehearse diff --format json` output, which has no
// format marker of its own; it is recognised by its shape.
const diffDocument = "rehearse diff (snapshot.DiffReport)"

// loadDocument reads a result document from path ("-": standard input)
// and decodes it by its "format" field.
func loadDocument(io *ioStreams, path string) (any, error) {
	var raw []byte
	var err error
	if path == "-" {
		raw, err = readAllLimited(io.In)
		path = "standard input"
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("read %s: %w", path, err), "give the JSON file rehearse wrote (rehearse run -o report.json)")
	}
	var head struct {
		Format   string          `json:"format"`
		A, B     json.RawMessage // a snapshot diff (rehearse diff --format json) has sides a and b
		Findings json.RawMessage
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("%s: not a rehearse JSON document: %s", path, jsonErrorAt(raw, err)),
			"give the JSON file rehearse wrote, not another format (rehearse run -o report.json)")
	}
	if head.Format == "" && head.A != nil && head.B != nil && head.Findings != nil {
		head.Format = diffDocument
	}
	dec, ok := documentDecoders[head.Format]
	if !ok {
		known := make([]string, 0, len(documentDecoders))
		for k := range documentDecoders {
			known = append(known, k)
		}
		if head.Format == "" {
			return nil, rehearse.WithHint(fmt.Errorf("%s has no \"format\" field", path), "give a document rehearse wrote (format %s)", strings.Join(known, ", "))
		}
		return nil, rehearse.WithHint(fmt.Errorf("%s is a %q document, which this rehearse does not render", path, head.Format),
			"it renders %s; a newer format needs a newer rehearse", strings.Join(known, ", "))
	}
	doc, err := dec(raw)
	if err != nil {
		return nil, rehearse.WithHint(fmt.Errorf("%s: %s", path, jsonErrorAt(raw, err)), "the file does not match its format %s; was it edited by hand?", head.Format)
	}
	return doc, nil
}

// readAllLimited reads standard input up to 1 GiB.
func readAllLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<30+1))
	if err == nil && len(b) > 1<<30 {
		return nil, errors.New("more than 1 GiB")
	}
	return b, err
}

// jsonErrorAt names the line and column of a JSON error.
func jsonErrorAt(raw []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(raw)) {
		return err.Error()
	}
	line := bytes.Count(raw[:off], []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(raw[:off], '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}
