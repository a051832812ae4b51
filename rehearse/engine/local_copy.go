package engine

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Template datadirs are mostly zeros: a freshly initialised InnoDB redo log
// (96-100 MB), undo tablespaces and doublewrite files hold a few pages of
// data. copyTreeSparse copies such a tree writing only the non-zero blocks
// and leaving holes elsewhere; a sparse source is read by its data extents
// only (SEEK_DATA/SEEK_HOLE). Reads of a hole return zeros, so the server
// sees the same bytes; it allocates blocks as it writes.

// sparseBlock is the granularity of zero detection (InnoDB pages are 16 KiB,
// redo log blocks 512 B; 64 KiB keeps the syscall count low).
const sparseBlock = 64 << 10

const (
	seekData = 3 // SEEK_DATA
	seekHole = 4 // SEEK_HOLE
)

// copyTreeSparse is copyTree with sparse regular files.
func copyTreeSparse(src, dst string) error {
	buf := make([]byte, sparseBlock)
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case d.Type().IsRegular():
			return copyFileSparse(p, target, info.Mode().Perm(), info.Size(), buf)
		}
		return nil
	})
}

func copyFileSparse(src, dst string, mode fs.FileMode, size int64, buf []byte) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	fd := int(in.Fd())
	var off int64
	for off < size {
		data, err := syscall.Seek(fd, off, seekData)
		if errors.Is(err, syscall.ENXIO) {
			break // only a hole is left
		}
		if err != nil { // no SEEK_DATA here: treat the rest as data
			data = off
		}
		hole, err := syscall.Seek(fd, data, seekHole)
		if err != nil || hole > size {
			hole = size
		}
		for p := data; p < hole; {
			n := min(int64(len(buf)), hole-p)
			m, err := in.ReadAt(buf[:n], p)
			if err != nil && !(errors.Is(err, io.EOF) && int64(m) == n) {
				out.Close()
				return err
			}
			if !allZero(buf[:n]) {
				if _, err := out.WriteAt(buf[:n], p); err != nil {
					out.Close()
					return err
				}
			}
			p += n
		}
		off = hole
	}
	if err := out.Truncate(size); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var zeroBlock = make([]byte, sparseBlock)

func allZero(b []byte) bool { return bytes.Equal(b, zeroBlock[:len(b)]) }
