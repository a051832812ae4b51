package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// waitGreeting waits until the server in the container sends its greeting
// on addr. Docker's port proxy accepts connections before the server listens
// and closes them at once; polling with the SQL driver instead would make it
// log every such attempt.
func waitGreeting(ctx context.Context, addr string, timeout time.Duration, exited func() error) error {
	deadline := time.Now().Add(timeout)
	d := net.Dialer{Timeout: time.Second}
	var lastErr error
	for {
		if err := exited(); err != nil {
			return err
		}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			var buf [4]byte
			var n int
			n, err = c.Read(buf[:])
			c.Close()
			if n > 0 {
				return nil
			}
		}
		lastErr = err
		if time.Now().After(deadline) {
			return fmt.Errorf("server at %s sent no greeting within %s: %v", addr, timeout, lastErr)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// containerExited returns waitReady's check that the container still runs,
// asking the daemon at most twice a second.
func containerExited(c *testcontainers.DockerContainer, image, secret string) func() error {
	var last time.Time
	return func() error {
		if time.Since(last) < 500*time.Millisecond {
			return nil
		}
		last = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := c.State(ctx)
		if err != nil || st.Running {
			return nil
		}
		return fmt.Errorf("docker engine: %s exited during start-up (exit code %d)%s", image, st.ExitCode, containerLogs(c, secret))
	}
}

// containerLogs returns the last lines of a container's output, for errors,
// with secret (root's password) replaced by "***".
func containerLogs(c *testcontainers.DockerContainer, secret string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rc, err := c.Logs(ctx)
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
	if len(b) == 0 {
		return ""
	}
	return ":\n" + scrub(tail(b, 20), secret)
}
