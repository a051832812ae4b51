package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// library holds every scenario's folder; it is compiled into the binary.
//
//go:embed library
var library embed.FS

// FS returns the scenario's folder of the embedded library.
func (s *Scenario) FS() fs.FS {
	sub, err := fs.Sub(library, "library/"+s.Name)
	if err != nil {
		panic(err) // only for an invalid path, which a registered name is not
	}
	return sub
}

// ReadFile reads a file of the scenario's folder.
func (s *Scenario) ReadFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(s.FS(), name)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return b, nil
}

// Config returns the named variant's rehearse.yaml.
func (s *Scenario) Config(variant string) (*Config, error) {
	v, err := s.Variant(variant)
	if err != nil {
		return nil, err
	}
	b, err := s.ReadFile(v.Config)
	if err != nil {
		return nil, err
	}
	return parseConfig(path.Join(s.Name, v.Config), b)
}

// SnapshotFile names the variant's snapshot for a server flavor: the file
// its config names (captured from MariaDB 10.11), or for "mysql" its
// .mysql.json sibling (the same schema captured from MySQL 9.7). "" means
// the config's own.
func (s *Scenario) SnapshotFile(variant, flavor string) (string, error) {
	c, err := s.Config(variant)
	if err != nil {
		return "", err
	}
	f := flavorFile(c.Snapshot, flavor)
	if _, err := fs.Stat(s.FS(), f); err != nil {
		return "", fmt.Errorf("scenario %s has no %s snapshot (%s)", s.Name, flavor, f)
	}
	return f, nil
}

// flavorFile is production.json for mariadb and "", production.mysql.json
// for mysql.
func flavorFile(file, flavor string) string {
	if flavor != "mysql" {
		return file
	}
	return strings.TrimSuffix(file, ".json") + ".mysql.json"
}

// MigrationFiles lists the variant's migration files (names inside its
// migrations folder), sorted.
func (s *Scenario) MigrationFiles(variant string) ([]string, error) {
	c, err := s.Config(variant)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(s.FS(), c.Migrations)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Files lists every file of the scenario's folder (slash-separated paths),
// sorted.
func (s *Scenario) Files() ([]string, error) {
	var out []string
	err := fs.WalkDir(s.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
