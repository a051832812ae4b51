package result

import "github.com/rehearse/rehearse/rehearse/codes"

// Of returns f as a finding of a registered code (rehearse/codes): its Code
// and DocsURL come from the registry, and its severity too unless f sets
// one. An unregistered code panics (codes.Get).
func (f Finding) Of(code string) Finding {
	c := codes.Get(code)
	f.Code, f.DocsURL = c.ID, c.Docs()
	if f.Severity == "" {
		f.Severity = string(c.Severity)
	}
	return f
}
