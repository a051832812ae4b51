package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rehearse/rehearse/rehearse"
	"github.com/rehearse/rehearse/rehearse/redact"
)

// ManifestName is the file in an exported folder that lists what the
// export wrote, so that `export --force` replaces exactly those files and
// nothing of the user's.
const ManifestName = ".rehearse-export.json"

const manifestFormat = "rehearse.export/v1"

// manifest is ManifestName's content: every file the export wrote, relative
// to the folder, with the sha256 of its content as written.
type manifest struct {
	Format   string            `json:"format"`
	Scenario string            `json:"scenario"`
	Variant  string            `json:"variant"`
	Files    map[string]string `json:"files"`
}

// readManifest reads dir's manifest; (nil, nil) when there is none.
func readManifest(dir string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil || m.Format != manifestFormat {
		return nil, fmt.Errorf("%s is not a manifest of rehearse scenarios export", filepath.Join(dir, ManifestName))
	}
	for rel := range m.Files {
		if err := checkInside(dir, rel); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestName), err)
		}
	}
	return &m, nil
}

func writeManifest(dir string, m *manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return redact.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), redact.Perm)
}

// checkInside refuses a relative path that leaves dir or passes through a
// symbolic link below it: the manifest is a file anyone can edit, and
// --force removes what it lists.
func checkInside(dir, rel string) error {
	local := filepath.FromSlash(rel)
	if !filepath.IsLocal(local) || rel == ManifestName {
		return fmt.Errorf("%q is not a file inside the folder", rel)
	}
	p := dir
	for _, part := range strings.Split(local, string(filepath.Separator)) {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link", p)
		}
	}
	return nil
}

// fileDigest is the sha256 of a file's content, "" when it does not exist.
func fileDigest(p string) (string, error) {
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// replaceable checks, before anything is written, that Export may write
// plan into dir. Without force no planned file (nor a manifest) may exist.
// With force, dir must be new, empty, or a previous export: a file the
// previous export wrote may be replaced or removed when its content is
// still what that export wrote; any other file is the user's and is left
// alone, and a planned file that is the user's refuses the export. It
// returns the previous export's files that the new one does not write
// (to remove), and the previous manifest (nil without one).
func replaceable(name, dir string, plan map[string][]byte, force bool) (stale []string, prev *manifest, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("export %s: %w", name, err)
	}
	if !force {
		for _, rel := range append(sortedKeys(plan), ManifestName) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if _, err := os.Lstat(p); err == nil {
				return nil, nil, rehearse.WithHint(fmt.Errorf("export %s: %s already exists", name, p),
					"export into an empty folder, or pass --force to replace a previous export")
			}
		}
		return nil, nil, nil
	}
	if len(entries) == 0 {
		return nil, nil, nil
	}
	prev, err = readManifest(dir)
	if err != nil {
		return nil, nil, rehearse.WithHint(fmt.Errorf("export %s: %w", name, err), "export into a new or empty folder")
	}
	if prev == nil {
		return nil, nil, rehearse.WithHint(fmt.Errorf("export %s: %s is not empty and holds no previous export (no %s): --force replaces only what an export wrote", name, dir, ManifestName),
			"export into a new or empty folder")
	}
	var changed []string
	for _, rel := range sortedKeys(plan) {
		if err := checkInside(dir, rel); err != nil {
			return nil, nil, fmt.Errorf("export %s: %w", name, err)
		}
		d, err := fileDigest(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, nil, fmt.Errorf("export %s: %w", name, err)
		}
		if d != "" && d != prev.Files[rel] {
			changed = append(changed, rel)
		}
	}
	for rel, want := range prev.Files {
		if _, ok := plan[rel]; ok {
			continue
		}
		d, err := fileDigest(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, nil, fmt.Errorf("export %s: %w", name, err)
		}
		switch {
		case d == "": // gone already
		case d != want:
			changed = append(changed, rel)
		default:
			stale = append(stale, rel)
		}
	}
	if len(changed) > 0 {
		sort.Strings(changed)
		return nil, nil, rehearse.WithHint(fmt.Errorf("export %s: %s: %s changed since the previous export or not written by it; --force replaces only what an export wrote", name, dir, strings.Join(changed, ", ")),
			"move or delete those files, or export into a new folder")
	}
	sort.Strings(stale)
	return stale, prev, nil
}

// removeStale removes the previous export's files the new one does not
// write, and the folders they leave empty.
func removeStale(dir string, stale []string) error {
	for _, rel := range stale {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		for d := filepath.Dir(p); d != dir && strings.HasPrefix(d, dir); d = filepath.Dir(d) {
			if os.Remove(d) != nil { // not empty: stop
				break
			}
		}
	}
	return nil
}
