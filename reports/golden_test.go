package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenExt names each format's golden file extension.
var goldenExt = map[string]string{
	"table": "txt", "md": "md", "junit": "xml", "html": "html", "json": "json", "prom": "prom",
}

// render renders a fixture in a format with the options a golden file uses.
func render(t testing.TB, format string, doc any, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, format, doc, o); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, name := range fixtureNames {
		doc := loadFixture(t, name)
		for _, f := range Formats() {
			ext := goldenExt[f.Name]
			if ext == "" {
				t.Fatalf("format %s has no golden extension", f.Name)
			}
			t.Run(name+"."+f.Name, func(t *testing.T) {
				golden(t, filepath.Join("testdata", "golden", name+"."+ext), render(t, f.Name, doc, Options{}))
			})
		}
		t.Run(name+".table-color", func(t *testing.T) {
			golden(t, filepath.Join("testdata", "golden", name+".color.txt"), render(t, "table", doc, Options{Color: true, Width: 120}))
		})
	}
}

// golden compares got with the file, or rewrites the file under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test ./reports -update and review the diff):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + w + "\ngot:  " + g
		}
	}
	return "(only trailing differences)"
}
