package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Copying datadirs: the one copy every datadir goes through — a template
// into a sandbox, a filled datadir into the data cache, a cache entry into
// a sandbox or a container's bind mount.
//
// A file is cloned (FICLONE: the file systems that share blocks, btrfs,
// XFS with reflink, bcachefs) when the file system allows; where it does
// not (ext4, tmpfs), its data extents are copied in the kernel
// (copy_file_range) by several workers at once, big files in chunks, and
// its holes stay holes (SEEK_DATA/SEEK_HOLE). Template datadirs are mostly
// zeros written as data (a 96-100 MB redo log): CopyOptions.SkipZeros
// reads such a tree and writes only its non-zero blocks.

// sparseBlock is the granularity of zero detection (InnoDB pages are 16 KiB,
// redo log blocks 512 B; 64 KiB keeps the syscall count low).
const sparseBlock = 64 << 10

const (
	seekData = 3 // SEEK_DATA
	seekHole = 4 // SEEK_HOLE
)

// copyChunk is the part of a big file one worker copies at a time.
const copyChunk = 32 << 20

// CopyOptions say how CopyTree copies.
type CopyOptions struct {
	// Workers is the number of files or chunks copied at once (0: 4, at
	// least the CPUs).
	Workers int
	// SkipZeros reads each data extent and writes only its non-zero
	// blocks, leaving holes for the rest (a fresh datadir); without it
	// data extents are copied as they are, in the kernel.
	SkipZeros bool
	// NoClone never tries FICLONE (to measure the copy itself).
	NoClone bool
	// Skip leaves out the entries it returns true for (path relative to
	// the source, slash-separated); a skipped folder is left out whole.
	Skip func(rel string) bool
}

// CopyStats say what CopyTree did.
type CopyStats struct {
	Files   int           // regular files
	Bytes   int64         // their sizes (apparent)
	Cloned  int           // files cloned (sharing blocks with the source)
	Elapsed time.Duration // wall time
}

// Method is "reflink", "copy" or "reflink+copy".
func (s CopyStats) Method() string {
	switch {
	case s.Cloned == 0:
		return "copy"
	case s.Cloned == s.Files:
		return "reflink"
	}
	return "reflink+copy"
}

// MBps is the apparent bytes per second, in MB (10^6).
func (s CopyStats) MBps() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds()
}

// CopyTree copies the folder src to dst, which must not exist. Modes are
// kept, and owners too when running as root (a container's files stay its
// server's); symbolic links are copied as links. On error, and when ctx
// ends, dst is removed.
func CopyTree(ctx context.Context, src, dst string, o CopyOptions) (CopyStats, error) {
	start := time.Now()
	if _, err := os.Lstat(dst); err == nil {
		return CopyStats{}, fmt.Errorf("copy %s: %s exists", src, dst)
	}
	c := &treeCopy{o: o, root: os.Geteuid() == 0}
	if o.NoClone {
		c.noClone.Store(true)
	}
	stats, err := c.run(ctx, src, dst)
	if err == nil {
		err = ctx.Err()
	}
	stats.Elapsed = time.Since(start)
	if err != nil {
		_ = os.RemoveAll(dst)
		return stats, fmt.Errorf("copy %s: %w", src, err)
	}
	return stats, nil
}

type treeCopy struct {
	o       CopyOptions
	root    bool
	noClone atomic.Bool // FICLONE failed once: the file system cannot
	files   atomic.Int64
	bytes   atomic.Int64
	cloned  atomic.Int64
}

// copyJob is a whole file, or one chunk of a big one.
type copyJob struct {
	src, dst string
	mode     fs.FileMode
	size     int64
	uid, gid int
	// Chunks of a big file share its descriptors; the last one closes.
	big      *bigFile
	off, end int64
}

type bigFile struct {
	in, out *os.File
	left    atomic.Int32
	closeMu sync.Mutex
	err     error
}

func (c *treeCopy) run(ctx context.Context, src, dst string) (CopyStats, error) {
	workers := c.o.Workers
	if workers <= 0 {
		workers = max(4, runtime.NumCPU())
	}
	jobs := make(chan copyJob, 64)
	errs := make(chan error, workers+1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, sparseBlock)
			for j := range jobs {
				if ctx.Err() != nil {
					j.release(nil)
					continue
				}
				if err := c.copy(ctx, j, buf); err != nil {
					select {
					case errs <- err:
					default:
					}
					cancel()
				}
			}
		}()
	}
	walkErr := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(src, p)
		if rel != "." && c.o.Skip != nil && c.o.Skip(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		uid, gid := owner(info)
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()|0o700); err != nil {
				return err
			}
			return c.chown(target, uid, gid)
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(l, target); err != nil {
				return err
			}
			if c.root {
				return os.Lchown(target, uid, gid)
			}
			return nil
		case d.Type().IsRegular():
			j := copyJob{src: p, dst: target, mode: info.Mode().Perm(), size: info.Size(), uid: uid, gid: gid}
			c.files.Add(1)
			c.bytes.Add(j.size)
			if j.size > copyChunk {
				if !c.noClone.Load() {
					if ok, err := c.clone(j); ok || err != nil {
						return err
					}
				}
				return c.split(ctx, j, jobs)
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
			}
			return nil
		}
		return nil // sockets, fifos: a server's, not data
	})
	close(jobs)
	wg.Wait()
	close(errs)
	stats := CopyStats{Files: int(c.files.Load()), Bytes: c.bytes.Load(), Cloned: int(c.cloned.Load())}
	if err := <-errs; err != nil {
		return stats, err
	}
	return stats, walkErr
}

// split opens a big file once and queues its chunks.
func (c *treeCopy) split(ctx context.Context, j copyJob, jobs chan<- copyJob) error {
	in, err := os.Open(j.src)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(j.dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, j.mode)
	if err != nil {
		in.Close()
		return err
	}
	if err := out.Truncate(j.size); err != nil {
		in.Close()
		out.Close()
		return err
	}
	if err := c.chown(j.dst, j.uid, j.gid); err != nil {
		in.Close()
		out.Close()
		return err
	}
	b := &bigFile{in: in, out: out}
	n := (j.size + copyChunk - 1) / copyChunk
	b.left.Store(int32(n))
	for i := int64(0); i < n; i++ {
		cj := j
		cj.big, cj.off, cj.end = b, i*copyChunk, min((i+1)*copyChunk, j.size)
		select {
		case jobs <- cj:
		case <-ctx.Done():
			for ; i < n; i++ {
				cj.release(nil)
			}
			return ctx.Err()
		}
	}
	return nil
}

// release ends one chunk of a big file; the last closes its files.
func (j copyJob) release(err error) error {
	b := j.big
	if b == nil {
		return err
	}
	b.closeMu.Lock()
	defer b.closeMu.Unlock()
	if err != nil && b.err == nil {
		b.err = err
	}
	if b.left.Add(-1) == 0 {
		b.in.Close()
		if cerr := b.out.Close(); cerr != nil && b.err == nil {
			b.err = cerr
		}
		return b.err
	}
	return err
}

func (c *treeCopy) copy(ctx context.Context, j copyJob, buf []byte) error {
	if j.big != nil {
		return j.release(c.extents(ctx, j.big.in, j.big.out, j.off, j.end, buf))
	}
	if !c.noClone.Load() {
		if ok, err := c.clone(j); ok || err != nil {
			return err
		}
	}
	in, err := os.Open(j.src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(j.dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, j.mode)
	if err != nil {
		return err
	}
	err = c.extents(ctx, in, out, 0, j.size, buf)
	if err == nil {
		err = out.Truncate(j.size) // a trailing hole
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = c.chown(j.dst, j.uid, j.gid)
	}
	return err
}

// clone tries FICLONE; ok reports the file is done. A file system that
// cannot clone turns cloning off for the rest of the tree.
func (c *treeCopy) clone(j copyJob) (ok bool, err error) {
	in, err := os.Open(j.src)
	if err != nil {
		return false, err
	}
	defer in.Close()
	out, err := os.OpenFile(j.dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, j.mode)
	if err != nil {
		return false, err
	}
	cerr := unix.IoctlFileClone(int(out.Fd()), int(in.Fd()))
	if err := out.Close(); err != nil && cerr == nil {
		return true, err
	}
	if cerr != nil {
		c.noClone.Store(true)
		return false, nil
	}
	c.cloned.Add(1)
	return true, c.chown(j.dst, j.uid, j.gid)
}

// extents copies the data extents of in within [off, end) to out at the
// same offsets; holes are skipped (out reads them as zeros).
func (c *treeCopy) extents(ctx context.Context, in, out *os.File, off, end int64, buf []byte) error {
	fd := int(in.Fd())
	for off < end {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		data, err := unix.Seek(fd, off, seekData)
		if errors.Is(err, syscall.ENXIO) {
			return nil // only a hole is left
		}
		if err != nil { // no SEEK_DATA here: treat the rest as data
			data = off
		}
		if data >= end {
			return nil
		}
		hole, err := unix.Seek(fd, data, seekHole)
		if err != nil || hole > end {
			hole = end
		}
		if c.o.SkipZeros {
			err = copyNonZero(in, out, data, hole, buf)
		} else {
			err = copyRange(in, out, data, hole, buf)
		}
		if err != nil {
			return err
		}
		off = hole
	}
	return nil
}

// copyRange copies [off, end) in the kernel, falling back to reads and
// writes where copy_file_range is refused.
func copyRange(in, out *os.File, off, end int64, buf []byte) error {
	for off < end {
		roff, woff := off, off
		n, err := unix.CopyFileRange(int(in.Fd()), &roff, int(out.Fd()), &woff, int(min(end-off, 1<<30)), 0)
		if err != nil {
			if errors.Is(err, syscall.EXDEV) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) {
				return readWrite(in, out, off, end, buf, false)
			}
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s: file shrank while copying", in.Name())
		}
		off += int64(n)
	}
	return nil
}

func copyNonZero(in, out *os.File, off, end int64, buf []byte) error {
	return readWrite(in, out, off, end, buf, true)
}

func readWrite(in, out *os.File, off, end int64, buf []byte, skipZeros bool) error {
	for p := off; p < end; {
		n := min(int64(len(buf)), end-p)
		m, err := in.ReadAt(buf[:n], p)
		if err != nil && !(errors.Is(err, io.EOF) && int64(m) == n) {
			return err
		}
		if !skipZeros || !allZero(buf[:n]) {
			if _, err := out.WriteAt(buf[:n], p); err != nil {
				return err
			}
		}
		p += n
	}
	return nil
}

func (c *treeCopy) chown(p string, uid, gid int) error {
	if !c.root || uid < 0 {
		return nil
	}
	return os.Lchown(p, uid, gid)
}

func owner(info fs.FileInfo) (int, int) {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid)
	}
	return -1, -1
}

// copyTreeSparse copies a template datadir (mostly zeros written as data)
// writing only its non-zero blocks.
func copyTreeSparse(src, dst string) error {
	_, err := CopyTree(context.Background(), src, dst, CopyOptions{SkipZeros: true})
	return err
}

var zeroBlock = make([]byte, sparseBlock)

func allZero(b []byte) bool { return bytes.Equal(b, zeroBlock[:len(b)]) }
