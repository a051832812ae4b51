package main

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// ioStreams is where a command writes: results to Out, progress and
// diagnostics to ErrOut. Tests pass buffers.
type ioStreams struct {
	In          io.Reader
	Out         io.Writer
	ErrOut      io.Writer
	OutIsTTY    bool
	ErrOutIsTTY bool
}

func newIOStreams() *ioStreams {
	return &ioStreams{
		In:          os.Stdin,
		Out:         os.Stdout,
		ErrOut:      os.Stderr,
		OutIsTTY:    isatty.IsTerminal(os.Stdout.Fd()),
		ErrOutIsTTY: isatty.IsTerminal(os.Stderr.Fd()),
	}
}
