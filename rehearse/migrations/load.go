package migrations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rehearse/rehearse/rehearse"
)

// DefaultMaxFileBytes bounds one migration file: a bigger one is almost
// always a data load that does not belong in a schema rehearsal.
const DefaultMaxFileBytes = 16 << 20

// Options say what to load.
type Options struct {
	Dir string
	// Format is a registered format name; "" detects it.
	Format string
	// MaxFileBytes bounds one file (default DefaultMaxFileBytes).
	MaxFileBytes int64
	// Pattern reads an in-house runner's names (--migrations-pattern,
	// "V{version}.{name}.{direction}.sql"); it implies Format "pattern".
	Pattern string
	// Flavor is production's server flavor ("mysql", "mariadb"): a folder
	// with one file per dialect uses the flavor's own dialect first.
	Flavor string
}

// ErrNoMigrations is wrapped when a folder holds no migration file.
var ErrNoMigrations = errors.New("no migrations")

// Load reads a folder of migrations. Warnings (an up without a down, an
// empty down) are in Set.Problems; anything that stops the folder from being
// read is a *LoadError (wrapped with a hint) listing every such problem.
func Load(ctx context.Context, opts Options) (*Set, error) {
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	st, err := os.Stat(opts.Dir)
	if err != nil || !st.IsDir() {
		if err == nil {
			err = errors.New("not a folder")
		}
		return nil, rehearse.WithHint(fmt.Errorf("migrations folder %s: %w", opts.Dir, err),
			"pass --migrations the folder that holds the migration files")
	}
	files, code, err := listFiles(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		hint := "point --migrations at the folder holding the .sql migration files"
		if len(code) > 0 {
			hint = fmt.Sprintf("%s looks like code migrations (%s): run them with --migrate-cmd 'YOUR MIGRATE COMMAND'", opts.Dir, strings.Join(code[:min(3, len(code))], ", "))
		}
		return nil, rehearse.WithHint(fmt.Errorf("%w: %s holds no .sql file", ErrNoMigrations, opts.Dir), "%s", hint)
	}
	var format Format
	set := &Set{Dir: opts.Dir}
	if opts.Pattern != "" {
		if opts.Format != "" && opts.Format != "pattern" {
			return nil, rehearse.WithHint(fmt.Errorf("--migrations-pattern reads the folder as format pattern, not %s", opts.Format),
				"leave out --migrations-format (or name it pattern)")
		}
		if format, err = newPattern(opts.Pattern); err != nil {
			return nil, err
		}
		set.Detected = "named by --migrations-pattern " + opts.Pattern
	} else if opts.Format != "" {
		if format, err = Lookup(opts.Format); err != nil {
			return nil, rehearse.WithHint(err, "use one of: %s (or leave --format out to detect it)", strings.Join(Formats(), ", "))
		}
		set.Detected = "named by --format"
	} else {
		format, set.Detected = detect(opts.Dir, files)
		if format == nil {
			return nil, unrecognised(opts.Dir, files)
		}
	}
	set.Format = format.Name()
	var errs []Problem
	var ms []Migration
	for i := range files {
		f := &files[i]
		if !format.Recursive() && strings.Contains(f.Path, "/") {
			continue
		}
		if p := readFile(opts, f); p != nil {
			errs = append(errs, *p)
			continue
		}
		got, probs := format.Parse(*f)
		f.Data = nil
		ms = append(ms, got...)
		for _, p := range probs {
			if p.Severity == Error {
				errs = append(errs, p)
			} else {
				set.Problems = append(set.Problems, p)
			}
		}
	}
	if fin, ok := format.(Finisher); ok && len(errs) == 0 {
		var probs []Problem
		ms, probs = fin.Finish(ms, opts)
		for _, p := range probs {
			if p.Severity == Error {
				errs = append(errs, p)
			} else {
				set.Problems = append(set.Problems, p)
			}
		}
	}
	merged, probs := merge(ms)
	errs = append(errs, probs...)
	if len(errs) > 0 {
		return nil, rehearse.WithHint(&LoadError{Dir: opts.Dir, Problems: errs},
			"fix the files named above (or name the right format with --format; this folder was read as %s: %s)", set.Format, set.Detected)
	}
	if len(merged) == 0 {
		return nil, rehearse.WithHint(fmt.Errorf("%w: %s holds no %s migration", ErrNoMigrations, opts.Dir, set.Format),
			"check --migrations and --format")
	}
	sort.SliceStable(merged, func(i, j int) bool { return format.Less(&merged[i], &merged[j]) })
	set.Migrations = merged
	set.Problems = append(set.Problems, downProblems(format, merged)...)
	return set, nil
}

// unrecognised is the error for a folder no format claims: the formats
// rehearse reads, and the --migrations-pattern that would read its files.
func unrecognised(dir string, files []File) error {
	err := fmt.Errorf("%w: no .sql file in %s fits a known migration format (e.g. %s)", ErrNoMigrations, dir, files[0].Path)
	hint := fmt.Sprintf("name the format with --migrations-format (%s); file names and markers are described in docs/migrations.md", strings.Join(Formats(), ", "))
	if p := suggestPattern(files); p != "" {
		hint += fmt.Sprintf("; for an in-house runner's names, describe them: --migrations-pattern '%s'", p)
	}
	return rehearse.WithHint(err, "%s", hint)
}

// listFiles lists .sql files (sorted by path) and names of code-migration
// files, skipping hidden folders.
func listFiles(ctx context.Context, dir string) (files []File, code []string, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch strings.ToLower(filepath.Ext(p)) {
		case ".sql":
			info, err := d.Info()
			if err != nil {
				return err
			}
			files = append(files, File{Path: rel, Base: d.Name(), Size: info.Size()})
		case ".go", ".js", ".ts", ".py", ".rb", ".php", ".java", ".xml", ".yaml", ".yml", ".json":
			code = append(code, rel)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read migrations folder %s: %w", dir, err)
	}
	for i := range files {
		files[i].Head, _ = readHead(filepath.Join(dir, files[i].Path))
	}
	return files, code, nil
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 8<<10)
	n, _ := f.Read(buf)
	return buf[:n], nil
}

// readFile loads f.Data, refusing oversized and non-text files.
func readFile(opts Options, f *File) *Problem {
	if f.Size > opts.MaxFileBytes {
		return &Problem{Code: "file-too-large", Severity: Error, File: f.Path, Line: 1,
			Message: fmt.Sprintf("%.1f MB is over the %.1f MB limit for one migration file (a data load? load data outside schema migrations, or raise --max-file-size)",
				float64(f.Size)/1e6, float64(opts.MaxFileBytes)/1e6)}
	}
	data, err := os.ReadFile(filepath.Join(opts.Dir, f.Path))
	if err != nil {
		return &Problem{Code: "unreadable", Severity: Error, File: f.Path, Message: err.Error()}
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		data, f.Offset = data[3:], 3
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &Problem{Code: "not-text", Severity: Error, File: f.Path, Line: 1 + bytes.Count(data[:i], []byte{'\n'}),
			Message: fmt.Sprintf("not a text file (a NUL byte at offset %d)", int64(i)+f.Offset)}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return &Problem{Code: "not-text", Severity: Error, File: f.Path, Line: 1 + bytes.Count(data[:i], []byte{'\n'}),
			Message: fmt.Sprintf("not UTF-8 text (invalid byte 0x%02x at offset %d); convert the file to UTF-8", data[i], int64(i)+f.Offset)}
	}
	f.Data = data
	return nil
}
