package reports

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse/rehearse/internal/testserver"
)

// chromiumPath finds Debian's chromium (testserver.Tool: fails under the
// test policy, skips without it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return testserver.Tool(t, "chromium", "chromium")
}

// rendered is what the page shows, measured in the browser.
type rendered struct {
	SVGWidth, SVGHeight float64
	Texts               []string
	SeriesLengths       map[string]float64
	Rows, Spans, Faults int
	Verdict             string
	Capacity            int
	CapacityPoints      int
	Sections            []string
}

const measureJS = `JSON.stringify((() => {
  const svg = document.querySelector('svg.timeline');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const lengths = {};
  if (svg) for (const p of svg.querySelectorAll('path.series')) lengths[p.getAttribute('class')] = p.getTotalLength();
  return {
    SVGWidth: box.width, SVGHeight: box.height,
    Texts: svg ? Array.from(svg.querySelectorAll('text')).map(t => t.textContent) : [],
    SeriesLengths: lengths,
    Rows: document.querySelectorAll('table.statements tbody tr').length,
    Spans: svg ? svg.querySelectorAll('g.span').length : 0,
    Faults: svg ? svg.querySelectorAll('g.fault').length : 0,
    Verdict: document.querySelector('#verdict .word').textContent,
    Capacity: document.querySelectorAll('svg.capacity').length,
    CapacityPoints: document.querySelectorAll('svg.capacity circle.measured').length,
    Sections: Array.from(document.querySelectorAll('section')).filter(s => s.getBoundingClientRect().height > 0).map(s => s.id || s.className),
  };
})())`

// The HTML report opens in a real browser with no network, draws its chart
// and table, and logs no error.
func TestHTMLInBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := startBrowser(t, chrome)
	dir := t.TempDir()
	shots := os.Getenv("REHEARSE_SCREENSHOTS") // a folder to keep the screenshots in, for a person to look at

	cases := []struct {
		fixture  string
		verdict  string
		rows     int
		spans    int
		faults   int
		capacity int
		labels   []string
	}{
		{"fail", "FAIL", 3, 3, 1, 0, []string{"Write throughput (ops/s)", "Write latency p50 / p99 (log scale)", "Lock waiters / blocked writers", "20250310100000#1", "20250311083000#1", "⚡ injected long-txn", "migrate", "seconds since the rehearsal started"}},
		{"pass", "PASS", 3, 4, 0, 1, []string{"Write throughput (ops/s)", "Write latency p50 / p99", "20250302090000#2", "baseline"}},
		{"partial", "FAIL", 4, 2, 1, 0, []string{"Lock waiters / blocked writers", "⚡ injected fail-at"}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			path := filepath.Join(dir, c.fixture+".html")
			if err := os.WriteFile(path, render(t, "html", loadFixture(t, c.fixture), Options{}), 0o644); err != nil {
				t.Fatal(err)
			}
			p := b.open(ctx, t, "file://"+path, 1280, 900)
			var got rendered
			p.eval(ctx, t, measureJS, &got)
			if got.SVGWidth < 600 || got.SVGHeight < 300 {
				t.Errorf("timeline is %.0f×%.0f px", got.SVGWidth, got.SVGHeight)
			}
			for _, want := range c.labels {
				if !contains(got.Texts, want) {
					t.Errorf("timeline lacks the label %q; it has %q", want, got.Texts)
				}
			}
			for _, series := range []string{"throughput", "p50", "p99", "waiters", "blocked"} {
				if got.SeriesLengths["series series-"+series] <= 0 {
					t.Errorf("series %s is not drawn (lengths %v)", series, got.SeriesLengths)
				}
			}
			if got.Rows != c.rows || got.Spans != c.spans || got.Faults != c.faults || got.Capacity != c.capacity {
				t.Errorf("rows %d spans %d faults %d capacity charts %d; want %d %d %d %d", got.Rows, got.Spans, got.Faults, got.Capacity, c.rows, c.spans, c.faults, c.capacity)
			}
			if c.capacity > 0 && got.CapacityPoints == 0 {
				t.Error("capacity chart has no measured points")
			}
			if got.Verdict != c.verdict {
				t.Errorf("verdict %q, want %q", got.Verdict, c.verdict)
			}
			png := p.screenshot(ctx, t)
			checkScreenshot(t, png)
			if shots != "" {
				os.WriteFile(filepath.Join(shots, c.fixture+".png"), png, 0o644)
			}
			problems, requests := p.snapshot()
			if len(problems) > 0 {
				t.Errorf("the page logged errors:\n%s", strings.Join(problems, "\n"))
			}
			for _, u := range requests {
				if u != "file://"+path && !strings.HasPrefix(u, "data:") {
					t.Errorf("the page requested %s (it must be self-contained)", u)
				}
			}
		})
	}

	// Without its stylesheet (Jenkins' default Content-Security-Policy
	// drops inline styles) the chart keeps its colours: they are SVG
	// presentation attributes.
	t.Run("no-css", func(t *testing.T) {
		page := string(render(t, "html", loadFixture(t, "fail"), Options{}))
		start, end := strings.Index(page, "<style>"), strings.Index(page, "</style>")
		page = page[:start] + page[end+len("</style>"):]
		path := filepath.Join(dir, "nocss.html")
		os.WriteFile(path, []byte(page), 0o644)
		p := b.open(ctx, t, "file://"+path, 1280, 900)
		var got map[string]string
		p.eval(ctx, t, `JSON.stringify((() => { const s = getComputedStyle(document.querySelector('path.series-p99')); const b = getComputedStyle(document.querySelector('rect.span-band'));
			return {fill: s.fill, stroke: s.stroke, band: b.fill, bandOpacity: b.fillOpacity}; })())`, &got)
		if got["fill"] != "none" || got["stroke"] != "rgb(188, 76, 0)" || got["bandOpacity"] != "0.08" {
			t.Errorf("unstyled chart: p99 path fill %q stroke %q, span band %q opacity %q", got["fill"], got["stroke"], got["band"], got["bandOpacity"])
		}
	})

	// The checks can fail: a page with a script error and an external
	// resource is caught.
	t.Run("control", func(t *testing.T) {
		path := filepath.Join(dir, "broken.html")
		os.WriteFile(path, []byte(`<!DOCTYPE html><html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body><script>notDefined()</script></body></html>`), 0o644)
		p := b.open(ctx, t, "file://"+path, 800, 600)
		// The browser reports both asynchronously: wait for them (a page
		// whose problems are never seen fails at the deadline).
		testserver.WaitFor(t, 30*time.Second, "the control page's exception and stylesheet request", func() bool {
			problems, requests := p.snapshot()
			return len(problems) > 0 && len(requests) >= 2
		})
		problems, requests := p.snapshot()
		t.Logf("control page: %d problems seen, requests %q", len(problems), requests)
		if len(problems) == 0 {
			t.Error("a thrown exception was not seen")
		}
		if len(requests) < 2 {
			t.Errorf("the external stylesheet request was not seen: %v", requests)
		}
	})
}

// checkScreenshot decodes the PNG and checks it shows something: a page
// wider than tall-ish, with many distinct colours (chart lines, text).
func checkScreenshot(t *testing.T, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	bounds := img.Bounds()
	if bounds.Dx() < 1000 || bounds.Dy() < 800 {
		t.Errorf("screenshot is %v", bounds)
	}
	if n := distinctColours(img, 64); n < 20 {
		t.Errorf("screenshot has %d distinct colours: nothing rendered?", n)
	}
}

func distinctColours(img image.Image, stride int) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += stride / 8 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
