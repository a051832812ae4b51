package datacache

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"time"
)

// Manifest describes an entry: what made it, what it holds, how to check it.
type Manifest struct {
	Format    string    `json:"format"`
	ID        string    `json:"id"`
	Key       Key       `json:"key"`
	CreatedAt time.Time `json:"created_at"`
	// Server is the server that wrote the datadir, as it identified itself.
	Server struct {
		Flavor  string `json:"flavor"`
		Version string `json:"version"`
		// Settings are the server's own values of the variables that
		// shape its files (FileSettings), read before its shutdown.
		Settings map[string]string `json:"settings"`
	} `json:"server"`
	// Generation is what datagen reported when it filled the tables.
	Generation Generation `json:"generation"`
	// Tables holds every base table's row count and sample checksum, taken
	// on the server before its shutdown; a server started on a copy must
	// show the same.
	Tables []TableCheck `json:"tables"`
	// Files are the datadir's regular files and sizes: a partial or
	// truncated entry is found without starting a server.
	Files []File `json:"files"`
	// Bytes is the files' apparent size, Allocated the disk they take.
	Bytes     int64 `json:"bytes"`
	Allocated int64 `json:"allocated"`
}

// Generation is what the generation that filled an entry said.
type Generation struct {
	Rows       int64            `json:"rows"`
	TableRows  map[string]int64 `json:"table_rows"` // "schema.table" -> rows the server holds
	Method     string           `json:"method"`     // load-data | insert
	Seconds    float64          `json:"seconds"`
	RowsPerSec float64          `json:"rows_per_sec"`
	Notes      []string         `json:"notes,omitempty"`
}

// File is one regular file of an entry's datadir.
type File struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	// CRC32C is the checksum of the file's content (Castagnoli, hex): a
	// page damaged on disk is found before a server reads it (row counts
	// and samples read only some pages; a rehearsal's migration reading a
	// damaged page would fail as if the migration had).
	CRC32C string `json:"crc32c"`
}

const manifestName = "manifest.json"

func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", manifestName, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%s: format %q, want %q", manifestName, m.Format, Format)
	}
	return &m, nil
}

// write writes the manifest into dir (a build folder, not yet in place).
func (m *Manifest) write(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, manifestName), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// listFiles lists the regular files under dir with their sizes, and sums
// their apparent and allocated sizes.
func listFiles(dir string) (files []File, bytes, allocated int64, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, File{Path: filepath.ToSlash(rel), Size: info.Size()})
		bytes += info.Size()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			allocated += st.Blocks * 512
		}
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, bytes, allocated, err
}

// checkFiles compares dir's files with the manifest's: their sizes, then
// their checksums ("" when they agree; an error only when ctx ends).
func (m *Manifest) checkFiles(ctx context.Context, dir string) (string, error) {
	if why := m.checkSizes(dir); why != "" {
		return why, nil
	}
	return m.checkSums(ctx, dir)
}

// checkSizes compares dir's files with the manifest's by size ("" when they
// agree): a missing or truncated file, without reading any.
func (m *Manifest) checkSizes(dir string) string {
	for _, f := range m.Files {
		info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			return fmt.Sprintf("%s is missing", f.Path)
		case info.Size() != f.Size:
			return fmt.Sprintf("%s has %d bytes, the manifest says %d", f.Path, info.Size(), f.Size)
		}
	}
	if len(m.Files) == 0 {
		return "the manifest lists no file"
	}
	return ""
}

// checkSums compares the CRC-32C of dir's files with the manifest's ("" when
// they agree; an error only when ctx ends).
func (m *Manifest) checkSums(ctx context.Context, dir string) (string, error) {
	got := make([]File, len(m.Files))
	copy(got, m.Files)
	if err := sumFiles(ctx, dir, got); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return err.Error(), nil
	}
	for i, f := range m.Files {
		if got[i].CRC32C != f.CRC32C {
			return fmt.Sprintf("%s's content differs from the manifest's (CRC-32C %s, the manifest says %s)", f.Path, got[i].CRC32C, f.CRC32C), nil
		}
	}
	return "", nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sumFiles sets each file's CRC32C from its content under dir, several
// files at once (the biggest first: one worker per CPU).
func sumFiles(ctx context.Context, dir string, files []File) error {
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return files[order[a]].Size > files[order[b]].Size })
	work := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(files))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for i := range work {
				sum, err := sumFile(ctx, filepath.Join(dir, filepath.FromSlash(files[i].Path)), buf)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				files[i].CRC32C = sum
			}
		}()
	}
	for _, i := range order {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func sumFile(ctx context.Context, path string, buf []byte) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	for {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%08x", h.Sum32()), nil
}
