package plan

import "fmt"

// Drift and replay finding codes (the lint rules are RH1xx, in plan/rules).
const (
	CodeHistoryWithoutFile = "RH001"
	CodeDirty              = "RH002"
	CodeChecksumChanged    = "RH003"
	CodeOutOfOrder         = "RH004"
	CodeAppliedOutside     = "RH005"
	CodeMissingObject      = "RH006"
	CodeReplayFailed       = "RH007"
	CodeNoSharedHistory    = "RH008"
	CodeNoHistory          = "RH009"
	CodeNotAnalysed        = "RH010"
	CodeDisagreement       = "RH011"
)

// codeInfo is each code's title and default severity.
var codeInfo = map[string]struct {
	Title    string
	Severity Severity
}{
	CodeHistoryWithoutFile: {"history entry without a migration file", SevWarning},
	CodeDirty:              {"the last deploy failed half-way (dirty or failed history entry)", SevError},
	CodeChecksumChanged:    {"migration edited after it was applied", SevWarning},
	CodeOutOfOrder:         {"pending migration older than the newest applied one", SevWarning},
	CodeAppliedOutside:     {"already applied outside the runner", SevError},
	CodeMissingObject:      {"references a table or column production does not have", SevError},
	CodeReplayFailed:       {"fails on production's schema", SevError},
	CodeNoSharedHistory:    {"the snapshot and the folder share no history", SevError},
	CodeNoHistory:          {"the snapshot has no history for this runner", SevWarning},
	CodeNotAnalysed:        {"statement not analysed", SevInfo},
	CodeDisagreement:       {"predicted and verified algorithm differ", SevInfo},
}

// DocsPage is the documentation page of a code.
func DocsPage(code string) string { return "docs/rules/" + code + ".md" }

// newFinding makes a finding of a drift/replay code with its defaults.
func newFinding(code, migration, file string, line int, format string, args ...any) Finding {
	ci := codeInfo[code]
	return Finding{Code: code, Severity: ci.Severity, Title: ci.Title, Message: fmt.Sprintf(format, args...),
		Migration: migration, File: file, Line: line, Docs: DocsPage(code)}
}
