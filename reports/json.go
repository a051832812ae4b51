package reports

import (
	"encoding/json"
	"io"

	"github.com/rehearse/rehearse/rehearse/result"
)

func init() {
	register(Format{
		Name: "json", File: "report.json",
		Doc:    "the result document itself, indented (machine-readable; what `rehearse report` reads back)",
		Report: func(w io.Writer, r *result.Report, _ Options) error { return writeJSON(w, r) },
		Other:  func(w io.Writer, doc any, _ Options) error { return writeJSON(w, doc) },
	})
}

// writeJSON writes doc indented by two spaces with a final newline. HTML
// characters are not escaped: the output is read by people and jq.
func writeJSON(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
