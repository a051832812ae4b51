package rehearse

import (
	"errors"
	"fmt"
)

// Error is an error a user can act on: what failed, and a hint that says what
// to do next. The command line prints the hint as "Try: ...".
type Error struct {
	Err  error
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// WithHint wraps err so that the command line prints hint after it. A nil err
// stays nil.
func WithHint(err error, hint string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err, Hint: fmt.Sprintf(hint, args...)}
}

// Hint returns the outermost hint attached to err, or "".
func Hint(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}

// ErrVerdict is wrapped by errors that mean "the rehearsal (or plan, or diff)
// ran and found the release unsafe". The command line maps it to exit code 1;
// every other error is exit code 2.
var ErrVerdict = errors.New("verdict: failed")

// VerdictError reports a completed check whose outcome is a failure.
type VerdictError struct{ Reason string }

func (e *VerdictError) Error() string { return e.Reason }
func (e *VerdictError) Unwrap() error { return ErrVerdict }
