package testserver

import (
	"testing"
	"time"
)

// WaitFor polls cond every few milliseconds until it holds, and fails the
// test when it still does not after timeout; what says what was awaited.
// Tests wait for the condition they are about to assert on, never for a
// fixed time (docs/testing.md): timeout is a deadline for a stuck test,
// not a figure the result depends on.
func WaitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
