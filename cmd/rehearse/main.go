// Command rehearse rehearses a release's database migrations against a
// throwaway, production-shaped MySQL or MariaDB server before they reach
// production.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, newIOStreams(), os.Args[1:])
	stop()
	os.Exit(code)
}
