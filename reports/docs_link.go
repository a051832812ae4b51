package reports

import "strings"

// DefaultDocsBase is where relative documentation links in documents
// ("docs/rules/RH101.md") point to when rendered for a reader elsewhere
// (a pull-request comment, a CI artifact).
const DefaultDocsBase = "https://github.com/rehearse/rehearse/blob/main/"

// docsLink makes a finding's documentation link absolute.
func docsLink(u string, o Options) string {
	if u == "" || strings.Contains(u, "://") {
		return u
	}
	base := o.DocsBase
	if base == "" {
		base = DefaultDocsBase
	}
	return strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(u, "/")
}
