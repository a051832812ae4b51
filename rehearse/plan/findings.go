package plan

import (
	"fmt"

	"github.com/rehearse/rehearse/rehearse/codes"
)

// DocsPage is the documentation page of a code.
func DocsPage(code string) string { return codes.Docs(code) }

// NewFinding makes a finding of a registered code (rehearse/codes) with its
// title, default severity and documentation page; the caller sets the
// message and where it points.
func NewFinding(code string) Finding {
	c := codes.Get(code)
	return Finding{Code: c.ID, Severity: c.Severity, Title: c.Title, Docs: c.Docs()}
}

// newFinding makes a finding of a drift/replay code with its defaults.
func newFinding(code, migration, file string, line int, format string, args ...any) Finding {
	f := NewFinding(code)
	f.Message = fmt.Sprintf(format, args...)
	f.Migration, f.File, f.Line = migration, file, line
	return f
}
