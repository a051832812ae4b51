package engine_test

import (
	"context"
	"sync"
	"testing"

	"github.com/rehearse/rehearse/internal/testserver"
	"github.com/rehearse/rehearse/rehearse/engine"
)

// TestRootfsMySQLSandboxesHaveOwnUUID: two sandboxes from the same template
// (MySQL 9.7 from the make-images root, started side by side) must not share
// @@server_uuid, or the production guard would take one for the other.
func TestRootfsMySQLSandboxesHaveOwnUUID(t *testing.T) {
	tg := testserver.LocalMySQL()
	testserver.Need(t, tg)
	var (
		wg      sync.WaitGroup
		servers [2]*engine.Server
		errs    [2]error
	)
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = tg.Engine.Start(context.Background(), tg.Options)
		}()
	}
	wg.Wait()
	for i, s := range servers {
		if s != nil {
			defer s.Stop(context.Background())
		}
		if errs[i] != nil {
			t.Fatalf("start %s: %v", tg.Name, errs[i])
		}
	}
	if servers[0].ServerUUID == "" || servers[0].ServerUUID == servers[1].ServerUUID {
		t.Errorf("two MySQL sandboxes report server_uuid %q and %q", servers[0].ServerUUID, servers[1].ServerUUID)
	}
}
