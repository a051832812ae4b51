package reports

import (
	"strings"

	"github.com/rehearse/rehearse/rehearse/result"
)

// The ALGORITHM column shows the algorithm a statement used. What it is
// compared with is the server's verified answer (asked on an empty copy of
// the table before the data was generated) when the report has one, else
// the plan's prediction; where they differ the renderers say so next to it
// (a footnote in the terminal table, keeping its width; in the cell
// elsewhere).

// algoNote says what a statement's used algorithm differs from ("verified
// INSTANT", "predicted INPLACE, LOCK=NONE"), or "" when it does not.
func algoNote(s result.Statement) string {
	used := s.Algorithm
	if used == "" {
		return ""
	}
	word, alg, lock := "verified", s.VerifiedAlg, s.VerifiedLock
	if alg == "" {
		// Reports before predicted_lock held "ALG, LOCK=X" in one field.
		word, alg, lock = "predicted", s.PredictedAlg, s.PredictedLock
		if a, l, ok := strings.Cut(alg, ","); ok {
			alg, lock = strings.TrimSpace(a), strings.TrimPrefix(strings.TrimSpace(l), "LOCK=")
		}
	}
	if alg == "" || !algoDiffers(used, alg) {
		return ""
	}
	if lock != "" && alg != "INSTANT" {
		return word + " " + alg + ", LOCK=" + lock
	}
	return word + " " + alg
}

// algoDiffers: "INPLACE/INSTANT" (the server copied no row and did not say
// which) differs only from COPY.
func algoDiffers(used, other string) bool {
	if used == "INPLACE/INSTANT" {
		return other == "COPY"
	}
	return used != other
}

// algoNotes are the terminal table's footnotes for the statements whose
// algorithm cell is marked.
func algoNotes(p *printer, r *result.Report) {
	first := true
	for _, m := range r.Migrations {
		for _, s := range m.Statements {
			note := algoNote(s)
			if note == "" || stmtStatus(s) == "not_run" {
				continue
			}
			if first {
				p.blank()
				first = false
			}
			text := "used " + s.Algorithm + "; " + note
			if s.VerifiedAlg != "" {
				text += " on an empty copy of the table"
			}
			p.wrapped("* "+stmtID(m.Version, s.Index)+": ", text)
		}
	}
}
