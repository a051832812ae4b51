package reports

import (
	"io"

	"github.com/rehearse/rehearse/rehearse/plan"
	"github.com/rehearse/rehearse/rehearse/result"
	"github.com/rehearse/rehearse/snapshot"
)

// The renderers of documents other than run reports dispatch on the
// document's type; each returns errUnsupported for a type it does not know.

func tableOther(w io.Writer, doc any, o Options) error {
	switch d := doc.(type) {
	case *snapshot.DiffReport:
		return tableDiff(w, d, o)
	case *plan.Plan:
		return tablePlan(w, d, o)
	case *result.Reproduction:
		return tableReproduction(w, d, o)
	case *result.Comparison:
		return tableCompare(w, d, o)
	}
	return errUnsupported
}

func markdownOther(w io.Writer, doc any, o Options) error {
	switch d := doc.(type) {
	case *snapshot.DiffReport:
		return markdownDiff(w, d, o)
	case *plan.Plan:
		return markdownPlan(w, d, o)
	case *result.Reproduction:
		return markdownReproduction(w, d, o)
	case *result.Comparison:
		return markdownCompare(w, d, o)
	}
	return errUnsupported
}

func junitOther(w io.Writer, doc any, o Options) error {
	switch d := doc.(type) {
	case *snapshot.DiffReport:
		return junitDiff(w, d, o)
	case *plan.Plan:
		return junitPlan(w, d, o)
	}
	return errUnsupported
}
