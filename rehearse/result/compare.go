package result

// FormatCompareV1 names the comparison document (rehearse compare).
const FormatCompareV1 = "rehearse.compare/v1"

// Comparison is `rehearse compare`: the same release rehearsed once per
// strategy on identical data under identical load, side by side.
type Comparison struct {
	Format     string   `json:"format"`
	Tool       string   `json:"tool"`
	Inputs     Inputs   `json:"inputs"` // the first rehearsal's (data, load, server)
	Strategies []string `json:"strategies"`
	// SameData says whether every strategy started from the same rows:
	// the checksums of the changed tables before the load started agree.
	SameData     bool   `json:"same_data"`
	SameDataNote string `json:"same_data_note,omitempty"`
	// Runs are the rehearsals, one per strategy, in Strategies' order.
	Runs []StrategyResult `json:"runs"`
	// Statements are the heavy statements, each strategy's figures and a
	// recommendation.
	Statements []CompareStatement `json:"statements"`
}

// StrategyResult is one strategy's rehearsal, summarised.
type StrategyResult struct {
	Strategy  string  `json:"strategy"`
	Verdict   string  `json:"verdict"`
	Reason    string  `json:"reason,omitempty"`
	DurationS float64 `json:"duration_s"` // the whole rehearsal
	// Cached says the rehearsal started from the data cache's copy.
	Cached       bool              `json:"cached"`
	BaselineP99  float64           `json:"baseline_p99_ms"`
	Checksums    map[string]string `json:"checksums,omitempty"`
	SchemaDigest string            `json:"schema_digest,omitempty"`
	Leftovers    []string          `json:"leftovers,omitempty"`
	// Report is the rehearsal's own report (rehearse.report/v1).
	Report *Report `json:"report,omitempty"`
}

// CompareStatement is one statement under each strategy.
type CompareStatement struct {
	Version string            `json:"version"`
	Index   int               `json:"index"`
	SQL     string            `json:"sql"`
	Table   string            `json:"table,omitempty"`
	Rows    int64             `json:"table_rows,omitempty"`
	By      []StrategyFigures `json:"by"`
	// Recommended is the strategy to use and Why, from the figures.
	Recommended string `json:"recommended"`
	Why         string `json:"why"`
}

// StrategyFigures are one statement's figures under one strategy.
type StrategyFigures struct {
	Strategy       string  `json:"strategy"`
	Status         string  `json:"status"` // ok | failed | not_run
	Error          string  `json:"error,omitempty"`
	Algorithm      string  `json:"algorithm,omitempty"`
	DurationS      float64 `json:"duration_s"`
	WritersBlocked int     `json:"writers_blocked"`
	LongestStallS  float64 `json:"longest_stall_s"`
	BlockedShare   float64 `json:"blocked_share"`
	// BlockedShareOutsideCutOver excludes the cut-over's second.
	BlockedShareOutsideCutOver float64 `json:"blocked_share_outside_cut_over"`
	CutOverStallS              float64 `json:"cut_over_stall_s"`
	P99Ms                      float64 `json:"p99_ms"`
	P99Ratio                   float64 `json:"p99_ratio"`
	WriteErrors                int64   `json:"write_errors"`
	ExtraDiskBytes             int64   `json:"extra_disk_bytes,omitempty"`
	RedoBytes                  int64   `json:"redo_bytes,omitempty"`
	ReplicaLagS                float64 `json:"replica_lag_s,omitempty"`
	SchemaIdentical            *bool   `json:"schema_identical,omitempty"` // the table after the release, against the first strategy's
	// SchemaDiff are the definition's lines that differ from the first
	// strategy's ("- line" theirs only, "+ line" this one's only), and
	// what the tool left behind.
	SchemaDiff []string `json:"schema_diff,omitempty"`
	// GrowsWithTable: it blocked writers for most of a run whose work
	// grows with the table (a blocking copy): at production's rows the
	// stall is that much longer.
	GrowsWithTable bool `json:"grows_with_table,omitempty"`
	// WriteErrorClasses are the writes' errors by class while it ran.
	WriteErrorClasses map[string]int64 `json:"write_error_classes,omitempty"`
	ToolOutput        []string         `json:"tool_output,omitempty"`
}
