package migrations

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"
)

// flyway reads Flyway SQL migrations: V<version>__<description>.sql
// (versioned), U<version>__<description>.sql (undo, Flyway Teams) and
// R__<description>.sql (repeatable, run after the versioned ones whenever
// its checksum changes). Versions are dot- or underscore-separated numbers;
// the checksum is Flyway's own (CRC32 over the lines, as a signed int), so
// it compares with flyway_schema_history.checksum.
type flyway struct{}

func init() { Register(flyway{}) }

var flywayName = regexp.MustCompile(`^([VUR])(.*?)__(.+)\.sql$`)

func (flyway) Name() string    { return "flyway" }
func (flyway) Recursive() bool { return true }

func (flyway) Claim(f File) Claim {
	if flywayName.MatchString(f.Base) {
		return NameClaim
	}
	return NoClaim
}

func (flyway) Parse(f File) ([]Migration, []Problem) {
	m := flywayName.FindStringSubmatch(f.Base)
	if m == nil {
		return nil, []Problem{nameProblem(f, "flyway", "V1__name.sql, U1__name.sql or R__name.sql")}
	}
	kind, desc := m[1], strings.ReplaceAll(m[3], "_", " ")
	version := strings.ReplaceAll(m[2], "_", ".")
	if kind == "R" && version != "" || kind != "R" && !validFlywayVersion(version) {
		return nil, []Problem{{Code: "bad-name", Severity: Error, File: f.Path,
			Message: fmt.Sprintf("flyway version %q must be numbers separated by dots or underscores (V1_2__x.sql); repeatables have none (R__x.sql)", m[2])}}
	}
	s, probs := wholeFile(f)
	s.Checksum = strconv.Itoa(int(FlywayChecksum(f.Data)))
	mig := Migration{Version: version, Key: flywayKey(version), Name: desc, Format: "flyway"}
	switch kind {
	case "V":
		mig.Up, mig.hasUp = *s, true
	case "U":
		mig.Down = s
	case "R":
		mig.Key, mig.Repeatable, mig.Up, mig.hasUp = "R:"+desc, true, *s, true
	}
	return []Migration{mig}, probs
}

func validFlywayVersion(v string) bool {
	for _, p := range strings.Split(v, ".") {
		if !isDigits(p) {
			return false
		}
	}
	return true
}

// flywayKey normalises a version: "1.01.0" -> "1.1" (Flyway compares
// versions numerically and ignores trailing zero parts).
func flywayKey(v string) string {
	if v == "" {
		return v
	}
	parts := strings.Split(v, ".")
	for i := range parts {
		parts[i] = numKey(parts[i])
	}
	for len(parts) > 1 && parts[len(parts)-1] == "0" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}

func (flyway) Less(a, b *Migration) bool {
	if a.Repeatable != b.Repeatable {
		return !a.Repeatable
	}
	if a.Repeatable {
		return a.Name < b.Name
	}
	pa, pb := strings.Split(a.Key, "."), strings.Split(b.Key, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			return VersionLess(pa[i], pb[i])
		}
	}
	return len(pa) < len(pb)
}

func (flyway) HistoryKey(version, _ string) string {
	if strings.HasPrefix(version, "R:") {
		return version
	}
	return flywayKey(version)
}

// FlywayChecksum is Flyway's script checksum: CRC32 over the UTF-8 bytes of
// each line without its line break (\n, \r or \r\n), BOM removed.
func FlywayChecksum(data []byte) int32 {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	h := crc32.NewIEEE()
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), len(data)+1)
	sc.Split(scanLinesCR)
	for sc.Scan() {
		h.Write(sc.Bytes())
	}
	return int32(h.Sum32())
}

// scanLinesCR splits at \n, \r\n and a lone \r (Java's readLine).
func scanLinesCR(data []byte, atEOF bool) (int, []byte, error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

func (flyway) History() History {
	return History{Readers: []string{"flyway"}, Table: "flyway_schema_history", Checksum: true,
		ChecksumNote: "Flyway's validate fails and migrate refuses to go on"}
}
