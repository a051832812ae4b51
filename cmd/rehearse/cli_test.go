package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runRehearse runs the command line in this process as main does (execute),
// with an empty standard input and buffers for its output, after setting env
// for the test. It returns the exit code, standard output and standard error.
// It is the one way the command's tests run it.
func runRehearse(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	return runRehearseInput(t, "", args...)
}

// runRehearseInput is runRehearse with stdin as the standard input.
func runRehearseInput(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(context.Background(), &ioStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}, args)
	return code, out.String(), errOut.String()
}
