package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Datadirs that outlive their server: the data cache (rehearse/datacache)
// keeps a cleanly shut down, filled datadir and starts later servers on
// copies of it (Options.Datadir). Engines whose server keeps its files in a
// folder of this host (local; docker with a local daemon, through a bind
// mount) implement DatadirEngine; the dsn engine has no datadir.

// ErrNoDatadir is returned by engines that cannot hand over or start from a
// datadir (the dsn engine; docker on a remote daemon).
var ErrNoDatadir = errors.New("this engine keeps no datadir on this host")

// Build identifies the server build an engine would start: a datadir made by
// one build is started by the same build only.
type Build struct {
	Engine  string `json:"engine"`  // "local", "docker"
	Flavor  Flavor `json:"flavor"`  // mysql, mariadb
	Version string `json:"version"` // exact for a binary ("10.11.19"); the image's version tag for an image
	// ID pins the build: the binary (path in its root, size, modification
	// time) or the image id.
	ID string `json:"id"`
}

func (b Build) String() string {
	return fmt.Sprintf("%s %s %s (%s)", b.Engine, b.Flavor, b.Version, b.ID)
}

// DatadirEngine is an engine whose servers can hand their datadir over
// (Server.KeepDatadir) and start on a copy of one (Options.Datadir).
type DatadirEngine interface {
	Engine
	// Build says which server build Start would run for opts, starting
	// nothing; an error wrapping ErrNoDatadir when this engine, for opts,
	// cannot start from a datadir.
	Build(ctx context.Context, opts Options) (Build, error)
}

// BuildOf is eng's Build for opts, or an error wrapping ErrNoDatadir when
// eng is not a DatadirEngine (dsn).
func BuildOf(ctx context.Context, eng Engine, opts Options) (Build, error) {
	de, ok := eng.(DatadirEngine)
	if !ok {
		return Build{}, fmt.Errorf("%s engine: %w", eng.Name(), ErrNoDatadir)
	}
	return de.Build(ctx, opts)
}

// ErrDatadirNotMoved is wrapped by KeepDatadir's error when the server was
// shut down cleanly but its datadir could not be copied to dst (a full
// disk there): the datadir is whole at HostDatadir until Stop, and a
// server can start on a copy of it (Options.Datadir).
var ErrDatadirNotMoved = errors.New("the datadir was not moved")

// HostDatadir is the server's datadir as a path on this host ("" when it
// has none here).
func (s *Server) HostDatadir() string { return s.hostDatadir }

// KeepDatadir shuts the server down cleanly — InnoDB's slow shutdown
// (innodb_fast_shutdown=0: purge done, every page flushed, so the next
// start has nothing to recover), binary logs removed first — and moves its
// datadir to dst, which must not exist (renamed when on the same file
// system, else copied). The server is gone afterwards; Stop removes the
// rest. The server's identity file (auto.cnf, MySQL's server_uuid) is left
// out: every server started from the copy makes its own. Engines without a
// datadir on this host return an error wrapping ErrNoDatadir.
func (s *Server) KeepDatadir(ctx context.Context, dst string) error {
	if s == nil || s.keep == nil {
		return fmt.Errorf("%s engine: %w", s.Engine, ErrNoDatadir)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("keep datadir: %s exists", dst)
	}
	if err := prepareShutdown(ctx, s); err != nil {
		return err
	}
	keep := s.keep
	s.keep = nil
	return keep(ctx, dst)
}

// prepareShutdown asks for the slow shutdown and drops the binary logs
// (MySQL 8+ writes them by default: a copy needs none of them).
func prepareShutdown(ctx context.Context, s *Server) error {
	db, err := s.Open("")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "SET GLOBAL innodb_fast_shutdown = 0"); err != nil {
		return fmt.Errorf("keep datadir: %w", err)
	}
	var logBin int
	if err := db.QueryRowContext(ctx, "SELECT @@log_bin").Scan(&logBin); err == nil && logBin == 1 {
		if _, err := db.ExecContext(ctx, "RESET BINARY LOGS AND GTIDS"); err != nil {
			if _, err2 := db.ExecContext(ctx, "RESET MASTER"); err2 != nil {
				return fmt.Errorf("keep datadir: remove the binary logs: %w", err)
			}
		}
	}
	return nil
}

// moveDatadir moves a stopped server's datadir to dst: a rename, or a copy
// across file systems.
func moveDatadir(ctx context.Context, datadir, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	err := os.Rename(datadir, dst)
	if errors.Is(err, syscall.EXDEV) {
		if _, err = CopyTree(ctx, datadir, dst, CopyOptions{}); err != nil {
			// A full disk on dst's side: the server was shut down
			// cleanly and its datadir is whole where it was.
			_ = os.RemoveAll(dst)
			return fmt.Errorf("keep datadir: %w: %w", ErrDatadirNotMoved, err)
		}
		err = os.RemoveAll(datadir)
	}
	if err != nil {
		return fmt.Errorf("keep datadir: %w", err)
	}
	return removeIdentity(dst)
}

// removeIdentity removes what makes a datadir one server's: MySQL keeps its
// server_uuid in auto.cnf; without removing it every sandbox from one
// template or cache entry would share it (and the dsn engine's production
// guard would take one sandbox for another). The server writes a new one.
func removeIdentity(datadir string) error {
	if err := os.Remove(filepath.Join(datadir, "auto.cnf")); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// startCopy copies the datadir a server is to start from (Options.Datadir)
// to datadir.
func startCopy(ctx context.Context, from, datadir string, log func(string, ...any)) error {
	st, err := CopyTree(ctx, from, datadir, CopyOptions{})
	if err != nil {
		return err
	}
	log("%s: copied %d files, %.0f MB in %s (%s, %.0f MB/s)", filepath.Base(from), st.Files, float64(st.Bytes)/1e6,
		st.Elapsed.Round(1e6), st.Method(), st.MBps())
	return removeIdentity(datadir)
}

// DatadirBytes is the disk the server's datadir takes on this host
// (allocated blocks), or an error wrapping ErrNoDatadir.
func (s *Server) DatadirBytes() (int64, error) {
	if s == nil || s.hostDatadir == "" {
		return 0, fmt.Errorf("%s engine: %w", s.Engine, ErrNoDatadir)
	}
	var n int64
	err := filepath.WalkDir(s.hostDatadir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			}
		}
		return nil
	})
	return n, err
}
