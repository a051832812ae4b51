package reports

import (
	"bytes"
	"strings"
	"testing"
)

// TestCachedPhasesEverywhere: a rehearsal whose data came from the data
// cache says so, with the entry's key, in every renderer.
func TestCachedPhasesEverywhere(t *testing.T) {
	rep := fixturePass()
	const key = "1a2b3c4d5e6f"
	for i, p := range rep.Phases {
		if p.Name == "restore" || p.Name == "generate" {
			rep.Phases[i].Status, rep.Phases[i].CacheKey = "cached", key
			rep.Phases[i].Detail = "from cache (key " + key + "): " + p.Detail
		}
	}
	if rep.DataCacheKey() != key {
		t.Fatalf("the fixture has no restore or generate phase to mark cached: %+v", rep.Phases)
	}
	for _, f := range Formats() {
		if f.Report == nil {
			continue
		}
		var buf bytes.Buffer
		if err := f.Report(&buf, rep, Options{}); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if !strings.Contains(buf.String(), key) {
			t.Errorf("%s does not name the cache entry %s", f.Name, key)
		}
	}
	plain := fixturePass()
	for _, f := range Formats() {
		if f.Report == nil {
			continue
		}
		var buf bytes.Buffer
		_ = f.Report(&buf, plain, Options{})
		if strings.Contains(buf.String(), "from cache") || strings.Contains(buf.String(), "data_cache") {
			t.Errorf("%s speaks of the cache for a rehearsal that did not use it", f.Name)
		}
	}
}
