package locks

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// source is one way of seeing lock waits. sample appends every wait the
// server shows now to obs (the monitor's own session excluded).
type source interface {
	name() string
	sample(ctx context.Context, c *sql.Conn, obs []observation) ([]observation, error)
}

// sourceInfo registers a source: available says whether it works on the
// server behind c (flavor "mysql" or "mariadb"); lower rank is preferred.
// Sources of one kind replace each other; the monitor runs the best
// available metadata-lock source every tick and the best row-lock source
// every slow tick.
type sourceInfo struct {
	name      string
	kind      Kind
	rank      int
	available func(ctx context.Context, c *sql.Conn, flavor string) error
	new       func(cfg srcConfig) source
}

// srcConfig is what a source is made with.
type srcConfig struct {
	self   int64  // the monitor's processlist id (its own waits are skipped)
	flavor string // "mysql" or "mariadb"
	limit  int    // statement truncation
	timing *stmtTiming
}

// ender is a source that can tell, from the server's clock, when the
// statements of waits it stopped seeing ended.
type ender interface {
	ends(ctx context.Context, c *sql.Conn, reqs []endReq) (endInfo, error)
}

var sources []sourceInfo

func registerSource(s sourceInfo) {
	sources = append(sources, s)
	sort.SliceStable(sources, func(i, j int) bool { return sources[i].rank < sources[j].rank })
}

// pickSource returns the best available source of kind, or the named one
// when want is set, with the reasons the better ones were passed over.
func pickSource(ctx context.Context, c *sql.Conn, flavor string, kind Kind, want string) (sourceInfo, []string, error) {
	var skipped []string
	for _, s := range sources {
		if s.kind != kind || (want != "" && s.name != want) {
			continue
		}
		err := s.available(ctx, c, flavor)
		if err == nil {
			return s, skipped, nil
		}
		skipped = append(skipped, fmt.Sprintf("%s: %v", s.name, err))
	}
	if want != "" && len(skipped) == 0 {
		var names []string
		for _, s := range sources {
			if s.kind == kind {
				names = append(names, s.name)
			}
		}
		return sourceInfo{}, nil, fmt.Errorf("unknown lock source %q (known: %s)", want, strings.Join(names, ", "))
	}
	return sourceInfo{}, skipped, fmt.Errorf("no %s-lock source works here (%s)", kind, strings.Join(skipped, "; "))
}

// systemSchemas are never monitored: the monitor's own queries lock
// performance_schema tables.
var systemSchemas = map[string]bool{"performance_schema": true, "information_schema": true, "mysql": true, "sys": true}

func truncate(s string, n int) string {
	if n > 0 && len(s) > n {
		return s[:n] + "…"
	}
	return s
}
