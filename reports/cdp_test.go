package reports

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// browser is a headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: JSON messages separated by NUL on file
// descriptors 3 and 4), which needs no WebSocket client and no library.
type browser struct {
	cmd     *exec.Cmd
	w       *os.File
	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	events  chan cdpMessage
	done    chan struct{}
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// startBrowser launches Chromium; it is killed and waited for at test end.
func startBrowser(t *testing.T, path string) *browser {
	t.Helper()
	cmdR, cmdW, err := os.Pipe() // we write commands; Chromium reads fd 3
	if err != nil {
		t.Fatal(err)
	}
	evR, evW, err := os.Pipe() // Chromium writes fd 4; we read
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
		"--user-data-dir="+t.TempDir(), "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
		"--disable-extensions", "--disable-background-networking", "--disable-sync", "--mute-audio", "about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, evW}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	cmdR.Close()
	evW.Close()
	b := &browser{cmd: cmd, w: cmdW, pending: map[int]chan cdpMessage{}, events: make(chan cdpMessage, 1024), done: make(chan struct{})}
	go b.read(evR)
	t.Cleanup(func() {
		b.call(context.Background(), "", "Browser.close", nil) //nolint:errcheck // best effort before the kill
		cmdW.Close()
		select {
		case <-b.done:
		case <-time.After(5 * time.Second):
		}
		cmd.Process.Kill()
		cmd.Wait()
		evR.Close()
	})
	return b
}

func (b *browser) read(r *os.File) {
	defer close(b.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20) // screenshots arrive as one message
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		for i, c := range data {
			if c == 0 {
				return i + 1, data[:i], nil
			}
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	})
	for sc.Scan() {
		var m cdpMessage
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.pending[m.ID]
			delete(b.pending, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case b.events <- m:
		default: // a test that stops reading events must not block the reader
		}
	}
}

// call sends a command (to a page session when session is set) and
// returns its result.
func (b *browser) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	if params == nil {
		raw = []byte("{}")
	}
	msg, _ := json.Marshal(cdpMessage{ID: id, Method: method, SessionID: session, Params: raw})
	if _, err := b.w.Write(append(msg, 0)); err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		return m.Result, nil
	case <-b.done:
		return nil, fmt.Errorf("%s: browser exited", method)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// page is one tab: what it logged and requested while loading.
type page struct {
	b         *browser
	session   string
	problems  []string // console errors, exceptions, error log entries (CSP violations included)
	requests  []string // every URL the page requested
	mu        sync.Mutex
	loaded    chan struct{}
	stopWatch chan struct{}
}

// open loads url in a new tab and waits for its load event.
func (b *browser) open(ctx context.Context, t *testing.T, url string, width, height int) *page {
	t.Helper()
	res, err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"})
	if err != nil {
		t.Fatal(err)
	}
	var target struct{ TargetID string }
	json.Unmarshal(res, &target)
	res, err = b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true})
	if err != nil {
		t.Fatal(err)
	}
	var att struct{ SessionID string }
	json.Unmarshal(res, &att)
	p := &page{b: b, session: att.SessionID, loaded: make(chan struct{}), stopWatch: make(chan struct{})}
	go p.watch()
	t.Cleanup(func() { close(p.stopWatch) })
	for _, m := range []string{"Runtime.enable", "Log.enable", "Page.enable", "Network.enable"} {
		if _, err := b.call(ctx, p.session, m, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.call(ctx, p.session, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.call(ctx, p.session, "Page.navigate", map[string]any{"url": url}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.loaded:
	case <-ctx.Done():
		t.Fatalf("page %s did not load: %v", url, ctx.Err())
	}
	return p
}

func (p *page) watch() {
	for {
		var m cdpMessage
		select {
		case m = <-p.b.events:
		case <-p.stopWatch:
			return
		}
		if m.SessionID != p.session {
			continue
		}
		p.mu.Lock()
		switch m.Method {
		case "Page.loadEventFired":
			select {
			case <-p.loaded:
			default:
				close(p.loaded)
			}
		case "Runtime.exceptionThrown":
			p.problems = append(p.problems, "exception: "+string(m.Params))
		case "Runtime.consoleAPICalled":
			var c struct{ Type string }
			json.Unmarshal(m.Params, &c)
			if c.Type == "error" || c.Type == "assert" {
				p.problems = append(p.problems, "console."+c.Type+": "+string(m.Params))
			}
		case "Log.entryAdded":
			var e struct {
				Entry struct{ Level, Text, Source string }
			}
			json.Unmarshal(m.Params, &e)
			if e.Entry.Level == "error" {
				p.problems = append(p.problems, "log "+e.Entry.Source+": "+e.Entry.Text)
			}
		case "Network.requestWillBeSent":
			var r struct{ Request struct{ URL string } }
			json.Unmarshal(m.Params, &r)
			p.requests = append(p.requests, r.Request.URL)
		}
		p.mu.Unlock()
	}
}

// eval evaluates a JavaScript expression returning JSON text and decodes it.
func (p *page) eval(ctx context.Context, t *testing.T, expr string, into any) {
	t.Helper()
	res, err := p.b.call(ctx, p.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Result           struct{ Value string }
		ExceptionDetails json.RawMessage
	}
	json.Unmarshal(res, &out)
	if len(out.ExceptionDetails) > 0 {
		t.Fatalf("evaluate: %s", out.ExceptionDetails)
	}
	if err := json.Unmarshal([]byte(out.Result.Value), into); err != nil {
		t.Fatalf("evaluate result %q: %v", out.Result.Value, err)
	}
}

// screenshot captures the whole page as PNG.
func (p *page) screenshot(ctx context.Context, t *testing.T) []byte {
	t.Helper()
	res, err := p.b.call(ctx, p.session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ Data []byte }
	if err := json.Unmarshal(res, &out); err != nil {
		t.Fatal(err)
	}
	return out.Data
}

func (p *page) snapshot() (problems, requests []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...), append([]string(nil), p.requests...)
}
