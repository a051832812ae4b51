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

// Configure applies severity overrides (rehearse.yaml's rules:) to fs: the
// findings of a disabled code are dropped, an overridden severity replaces
// the reported one. A nil o changes nothing.
func Configure(fs []Finding, o *codes.Overrides) []Finding {
	if o == nil {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		sev, on := o.Apply(f.Code, codes.Severity(f.Severity))
		if on {
			f.Severity = string(sev)
			out = append(out, f)
		}
	}
	return out
}
