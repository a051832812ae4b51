package engine_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// TestLocalMemory: Options.Memory puts a host-binary sandbox in MemoryDir,
// and Stop removes it from there.
func TestLocalMemory(t *testing.T) {
	mem := engine.MemoryDir()
	if mem == "" {
		testserver.Missing(t, "no writable tmpfs with 1 GiB free at /dev/shm (engine.MemoryDir)", "mount a tmpfs there (Debian does by default)")
	}
	requireBinary(t, engine.MariaDB, "10.11")
	eng, tmp := localEngine(t)
	ctx := context.Background()
	s, err := eng.Start(ctx, engine.Options{Flavor: engine.MariaDB, Version: "10.11", Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Datadir, mem+"/") {
		_ = s.Stop(ctx)
		t.Fatalf("datadir %s, want it under %s", s.Datadir, mem)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Datadir); !os.IsNotExist(err) {
		t.Fatalf("datadir %s left after Stop: %v", s.Datadir, err)
	}
	assertEmpty(t, tmp)
}
