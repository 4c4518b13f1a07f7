package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which .ci/services installs.
const chromiumPath = "/usr/bin/chromium"

// browser is a headless Chromium driven through chromedp, which records
// every console error, uncaught exception and failed load of the pages.
type browser struct {
	t   *testing.T
	ctx context.Context
	// shots is where screenshots go: docs/console/ with
	// HEADROOM_SCREENSHOTS=1, else a temporary directory.
	shots string

	mu     sync.Mutex
	errors []string
}

// newBrowser starts Chromium with a fresh profile. Without chromium the
// test skips, but fails under CI=true, where .ci/services installs it.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing under CI=true: .ci/services installs Debian's chromium", chromiumPath)
		}
		t.Skipf("%s is missing (apt-get install chromium, or run .ci/services); the browser tests need it", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, shots: t.TempDir()}
	if os.Getenv("HEADROOM_SCREENSHOTS") == "1" {
		b.shots = filepath.Join("..", "docs", "console")
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Listen(ctx, b.listen); err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{})
		return err
	}))
	return b
}

// listen records the events that say a page went wrong: an uncaught
// exception, a console.error or assert call, a browser log entry at error
// or warning level (a CSP violation, a failed load), and a failed request.
func (b *browser) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		b.record(fmt.Sprintf("exception: %s %s", ev.ExceptionDetails.Text, describe(ev.ExceptionDetails.Exception)))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				args = append(args, describe(a))
			}
			b.record("console." + string(ev.Type) + ": " + strings.Join(args, " "))
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && (e.Level == log.EntryLevelError || e.Level == log.EntryLevelWarning) {
			b.record(fmt.Sprintf("log %s (%s): %s %s", e.Level, e.Source, e.Text, e.URL))
		}
	case *network.EventLoadingFailed:
		if !ev.Canceled {
			b.record(fmt.Sprintf("load failed: %s %s", ev.ErrorText, ev.BlockedReason))
		}
	}
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Value)
}

func (b *browser) record(s string) {
	b.mu.Lock()
	b.errors = append(b.errors, s)
	b.mu.Unlock()
}

// takeErrors returns the errors recorded since the last call.
func (b *browser) takeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errors
	b.errors = nil
	return e
}

// noErrors fails the test if a page logged an error since the last check.
func (b *browser) noErrors(step string) {
	b.t.Helper()
	if e := b.takeErrors(); len(e) > 0 {
		b.t.Fatalf("%s: the page logged errors:\n%s", step, strings.Join(e, "\n"))
	}
}

func (b *browser) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// value runs one action that returns a value.
func value[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// open navigates to a page and waits for its main landmark.
func (b *browser) open(url string) {
	b.t.Helper()
	b.run(chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("#main")))
}

// text returns the text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return value(b, chromedp.Text(chromedp.CSS(sel)))
}

// has reports whether an element matches sel now.
func (b *browser) has(sel string) bool {
	b.t.Helper()
	return value(b, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel))) > 0
}

// screenshot saves the whole page as name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png := value(b, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// signIn signs in through the form and waits for the accounts page.
func (b *browser) signIn(base, token string) {
	b.t.Helper()
	b.open(base + "/console/")
	b.run(chromedp.SendKeys(chromedp.CSS("#token"), token), chromedp.Submit(chromedp.CSS("#token")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/console/accounts"][aria-current="page"]`)))
}

func (b *browser) signOut() {
	b.t.Helper()
	b.run(chromedp.Click(chromedp.CSS(`header.top button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#token")))
}

// enforce reserves amount of a quota through the native API with token.
func enforce(t *testing.T, base, token, account, code string, amount int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"items": []map[string]any{{"op": "reserve", "account": account, "code": code, "amount": amount}}})
	req, _ := http.NewRequest("POST", base+"/v1/enforce", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Results []struct {
			Allowed bool `json:"allowed"`
		} `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || len(out.Results) != 1 || !out.Results[0].Allowed {
		t.Fatalf("enforce: %d %+v %v", resp.StatusCode, out, err)
	}
}
