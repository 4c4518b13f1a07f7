package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The console works from the keyboard: the first Tab reaches the skip
// link, shown with a visible focus outline; Enter on it moves to the main
// content, where the next Tab reaches the token field; typing the token
// and Enter signs in; and Tab walks the navigation.
func TestKeyboardSignin(t *testing.T) {
	f := start(t)
	b := newBrowser(t)
	b.open(f.url + "/console/")
	focused := func() string {
		return value(b, chromedp.Evaluate[string](`(document.activeElement.id || document.activeElement.className || document.activeElement.tagName) + "|" +
			getComputedStyle(document.activeElement).outlineStyle + "|" + document.activeElement.getBoundingClientRect().left`))
	}
	b.run(chromedp.KeyEvent(kb.Tab))
	got := strings.Split(focused(), "|")
	if got[0] != "skip" || strings.HasPrefix(got[2], "-") {
		t.Fatalf("the first Tab: %v, want the skip link, on screen", got)
	}
	b.run(chromedp.KeyEvent(kb.Enter))
	if got := strings.Split(focused(), "|"); got[0] != "main" {
		t.Fatalf("the skip link moved focus to %v", got)
	}
	b.run(chromedp.KeyEvent(kb.Tab))
	got = strings.Split(focused(), "|")
	if got[0] != "token" || got[1] == "none" {
		t.Fatalf("the next Tab: %v, want the token field with a visible outline", got)
	}
	b.run(chromedp.KeyEvent(f.tokenA), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/console/accounts"][aria-current="page"]`)))
	// Skip link, brand, then the navigation's links in order.
	var seen []string
	for range 6 {
		b.run(chromedp.KeyEvent(kb.Tab))
		seen = append(seen, value(b, chromedp.Evaluate[string](`document.activeElement.textContent.trim()`)))
	}
	want := []string{"Skip to content", "Headroom", "Accounts", "Increase requests", "Alarms", "Audit log"}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Fatalf("Tab order %q, want %q", seen, want)
	}
	b.noErrors("keyboard")
}
