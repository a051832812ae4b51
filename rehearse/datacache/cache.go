package datacache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rehearse/rehearse/rehearse/mysqlkit"
)

// Cache is a folder of filled datadirs.
type Cache struct {
	// Dir is the cache's folder (<cache dir>/data: the command line puts it
	// beside the local engine's templates).
	Dir string
	// MaxSize caps the disk the entries take, in bytes; 0 means
	// DefaultMaxSize. Least recently used entries are removed first.
	MaxSize int64
	// Log receives one line per decision (hit, miss, build, eviction,
	// a corrupt entry removed); nil discards them.
	Log io.Writer
}

// ErrCorrupt is wrapped by the errors of an entry that failed its checks;
// the entry is removed by then.
var ErrCorrupt = errors.New("corrupt cache entry")

// DefaultCap is the fixed part of DefaultMaxSize.
const DefaultCap int64 = 20 << 30

// DefaultMaxSize is the cap when Cache.MaxSize is 0: 20 GiB, or a quarter of
// the space the cache could use on its file system (its entries plus the
// free space) when that is less. 20 GiB hold about twenty scale-1.0 entries
// of the seed incident (1 GB each) or hundreds at CI scales; the quarter
// keeps a small CI disk usable, since each rehearsal also needs room for
// its own copy and for the table its migration rebuilds.
func DefaultMaxSize(dir string, used int64) int64 {
	free, err := freeBytes(dir)
	if err != nil {
		return DefaultCap
	}
	return min(DefaultCap, (free+used)/4)
}

func (c *Cache) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "cache: "+format+"\n", args...)
	}
}

func (c *Cache) maxSize(used int64) int64 {
	if c.MaxSize > 0 {
		return c.MaxSize
	}
	return DefaultMaxSize(c.Dir, used)
}

func (c *Cache) entryDir(id string) string { return filepath.Join(c.Dir, id) }

// Entry is a complete entry of the cache.
type Entry struct {
	Dir      string
	Manifest *Manifest
	LastUsed time.Time
	c        *Cache
}

// Datadir is the entry's datadir (never start a server on it: on a copy).
func (e *Entry) Datadir() string { return filepath.Join(e.Dir, "datadir") }

// Lookup returns the entry for key, or nil when there is none. A folder
// without a readable manifest (a partial entry) is removed and reported as
// none.
func (c *Cache) Lookup(ctx context.Context, key Key) (*Entry, error) {
	id := key.ID()
	dir := c.entryDir(id)
	if _, err := os.Stat(dir); err != nil {
		return nil, nil
	}
	m, err := readManifest(dir)
	if err == nil && m.ID != id {
		err = fmt.Errorf("its manifest is for entry %s", m.ID)
	}
	if err != nil {
		c.logf("entry %s is partial (%v): removing it", id[:12], err)
		return nil, c.remove(ctx, id)
	}
	return &Entry{Dir: dir, Manifest: m, LastUsed: lastUsed(dir), c: c}, nil
}

// List returns the complete entries, most recently used first.
func (c *Cache) List() ([]*Entry, error) {
	des, err := os.ReadDir(c.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, d := range des {
		if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		dir := c.entryDir(d.Name())
		m, err := readManifest(dir)
		if err != nil {
			continue
		}
		out = append(out, &Entry{Dir: dir, Manifest: m, LastUsed: lastUsed(dir), c: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastUsed.After(out[j].LastUsed) })
	return out, nil
}

// Size is the disk the complete entries take.
func (c *Cache) Size() (int64, error) {
	es, err := c.List()
	var n int64
	for _, e := range es {
		n += e.Manifest.Allocated
	}
	return n, err
}

// PruneOptions say which entries Prune removes: those unused for longer
// than OlderThan (0: no age limit), then the least recently used until the
// rest fit in MaxSize (0: no size limit). Entries in use are kept.
type PruneOptions struct {
	OlderThan time.Duration
	MaxSize   int64
	// Keep is an entry id never removed (the one just built).
	Keep string
}

// Prune removes entries as PruneOptions say and returns them.
func (c *Cache) Prune(ctx context.Context, o PruneOptions) ([]*Entry, error) {
	c.CleanStale()
	c.removeUnreadable()
	es, err := c.List()
	if err != nil {
		return nil, err
	}
	var total int64
	for _, e := range es {
		total += e.Manifest.Allocated
	}
	var removed []*Entry
	now := time.Now()
	// Oldest first.
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		if e.Manifest.ID == o.Keep {
			continue
		}
		old := o.OlderThan > 0 && now.Sub(e.LastUsed) > o.OlderThan
		big := o.MaxSize > 0 && total > o.MaxSize
		if !old && !big {
			continue
		}
		ok, err := c.tryRemove(e.Manifest.ID)
		if err != nil {
			return removed, err
		}
		if !ok {
			continue // in use: a copy is being taken
		}
		total -= e.Manifest.Allocated
		removed = append(removed, e)
	}
	return removed, nil
}

// evict makes room for an entry of size bytes within the cap; it reports
// whether the entry fits at all.
func (c *Cache) evict(ctx context.Context, size int64, keep string) (bool, error) {
	used, err := c.Size()
	if err != nil {
		return false, err
	}
	limit := c.maxSize(used)
	if size > limit {
		return false, nil
	}
	removed, err := c.Prune(ctx, PruneOptions{MaxSize: limit - size, Keep: keep})
	for _, e := range removed {
		c.logf("removed the least recently used entry %s (%s) to stay under %s", e.Manifest.ID[:12], mysqlkit.BytesSI(e.Manifest.Allocated), mysqlkit.BytesSI(limit))
	}
	return true, err
}

// remove deletes an entry, waiting for copies in progress.
func (c *Cache) remove(ctx context.Context, id string) error {
	for {
		ok, err := c.tryRemove(id)
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// tryRemove deletes an entry unless a copy of it is being taken; the folder
// is first renamed aside, so no one finds a half-removed entry.
func (c *Cache) tryRemove(id string) (bool, error) {
	l, err := c.lock(id, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer l.unlock()
	trash := filepath.Join(c.Dir, fmt.Sprintf(".trash-%d-%s", os.Getpid(), id))
	if err := os.Rename(c.entryDir(id), trash); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	if err := os.RemoveAll(trash); err != nil {
		return false, err
	}
	return true, nil
}

// removeUnreadable removes the entry folders List skips: no readable
// manifest of this build's format (another format, written by another
// version of rehearse, or a damaged entry). Entries being copied are kept.
func (c *Cache) removeUnreadable() {
	des, err := os.ReadDir(c.Dir)
	if err != nil {
		return
	}
	for _, d := range des {
		if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		_, err := readManifest(c.entryDir(d.Name()))
		if err == nil {
			continue
		}
		if ok, rerr := c.tryRemove(d.Name()); ok && rerr == nil {
			c.logf("removed %s: not an entry this build reads (%v)", d.Name(), err)
		}
	}
}

// FindStale lists the build and trash folders whose owner process is gone
// (a rehearsal killed while it built or removed an entry): what CleanStale
// removes, for rehearse doctor to list.
func (c *Cache) FindStale() []string {
	des, err := os.ReadDir(c.Dir)
	if err != nil {
		return nil
	}
	var stale []string
	for _, d := range des {
		for _, prefix := range []string{".build-", ".trash-"} {
			rest, ok := strings.CutPrefix(d.Name(), prefix)
			if !ok {
				continue
			}
			num, _, _ := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(num)
			if err != nil || pid <= 0 || alive(pid) {
				continue
			}
			stale = append(stale, filepath.Join(c.Dir, d.Name()))
		}
	}
	return stale
}

// CleanStale removes what FindStale lists and returns what it removed.
func (c *Cache) CleanStale() []string {
	var removed []string
	for _, p := range c.FindStale() {
		if os.RemoveAll(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// fileLock is a flock on <id>.lock: shared while a copy of the entry is
// taken, exclusive while it is removed. Lock files stay (empty): removing
// one would let a remover and a reader lock two different files.
type fileLock struct {
	f    *os.File
	path string
}

func (c *Cache) lock(id string, how int) (*fileLock, error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, err
	}
	p := filepath.Join(c.Dir, id+".lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, err
	}
	return &fileLock{f: f, path: p}, nil
}

// lockShared waits for a shared lock (a removal in progress ends soon).
func (c *Cache) lockShared(ctx context.Context, id string) (*fileLock, error) {
	for {
		l, err := c.lock(id, unix.LOCK_SH|unix.LOCK_NB)
		if !errors.Is(err, unix.EWOULDBLOCK) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (l *fileLock) unlock() {
	if l != nil {
		_ = unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
		l.f.Close()
	}
}

const lastUsedName = "last-used"

func lastUsed(dir string) time.Time {
	if st, err := os.Stat(filepath.Join(dir, lastUsedName)); err == nil {
		return st.ModTime()
	}
	if st, err := os.Stat(dir); err == nil {
		return st.ModTime()
	}
	return time.Time{}
}

func touch(dir string) {
	p := filepath.Join(dir, lastUsedName)
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil {
		if f, err := os.Create(p); err == nil {
			f.Close()
		}
	}
}

func freeBytes(dir string) (int64, error) {
	for d := dir; ; d = filepath.Dir(d) {
		var st unix.Statfs_t
		if err := unix.Statfs(d, &st); err == nil {
			return int64(st.Bavail) * int64(st.Bsize), nil
		} else if d == filepath.Dir(d) {
			return 0, err
		}
	}
}
