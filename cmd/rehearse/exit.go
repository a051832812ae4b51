package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/redact"
)

// Exit codes (docs/ARCHITECTURE.md, "Exit codes").
const (
	exitOK      = 0 // passed every gate / nothing found
	exitVerdict = 1 // ran, and a gate failed or drift was found
	exitError   = 2 // could not run: bad input, no engine, server error
)

// usageError marks errors in flags or arguments: cobra prints usage for them.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode is the one place errors become exit codes.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, rehearse.ErrVerdict):
		return exitVerdict
	default:
		return exitError
	}
}

// printError writes err (and its hint) for a person: one paragraph, then
// "Try: ...".
func printError(w io.Writer, err error) {
	if errors.Is(err, rehearse.ErrVerdict) {
		fmt.Fprintf(w, "rehearse: %s\n", redact.String(err.Error()))
		return
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "rehearse: interrupted; everything that was started has been removed")
		return
	}
	msg := redact.String(strings.TrimSpace(err.Error()))
	fmt.Fprintf(w, "rehearse: error: %s\n", msg)
	if h := rehearse.Hint(err); h != "" {
		fmt.Fprintf(w, "Try: %s\n", redact.String(h))
	}
}
