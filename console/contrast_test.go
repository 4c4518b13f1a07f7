package console

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	cssVarRE   = regexp.MustCompile(`--([a-z0-9-]+):\s*#([0-9a-fA-F]{6})\s*;`)
	cssRuleRE  = regexp.MustCompile(`(?s)([^{}]+)\{([^{}]*)\}`)
	cssColorRE = regexp.MustCompile(`(?:^|[;\s])color:\s*var\(--([a-z0-9-]+)\)`)
	cssFillRE  = regexp.MustCompile(`(?:^|[;\s])fill:\s*var\(--([a-z0-9-]+)\)`)
	cssBackRE  = regexp.MustCompile(`background(?:-color)?:\s*var\(--([a-z0-9-]+)\)`)
	cssOnRE    = regexp.MustCompile(`/\*\s*on:\s*--([a-z0-9-]+)\s*\*/`)
)

// Every text colour of the stylesheet meets WCAG 2.1 AA against its
// background: 4.5:1. A rule that sets a text colour (color, or fill for
// SVG text) names its background in the same rule, or with an "on:"
// comment, or sits on the page's (--bg).
func TestTextContrast(t *testing.T) {
	css, err := staticFiles.ReadFile("static/console.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range cssVarRE.FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	if len(vars) < 10 {
		t.Fatalf("found %d colour variables", len(vars))
	}
	checked := 0
	for _, rule := range cssRuleRE.FindAllStringSubmatch(string(css), -1) {
		sel, body := strings.TrimSpace(rule[1]), rule[2]
		if strings.HasPrefix(sel, ":root") {
			continue
		}
		fg := cssColorRE.FindStringSubmatch(body)
		if fg == nil && strings.Contains(sel, "text") {
			fg = cssFillRE.FindStringSubmatch(body)
		}
		if fg == nil {
			continue
		}
		bg := "bg"
		if m := cssBackRE.FindStringSubmatch(body); m != nil {
			bg = m[1]
		} else if m := cssOnRE.FindStringSubmatch(body); m != nil {
			bg = m[1]
		}
		fc, ok1 := vars[fg[1]]
		bc, ok2 := vars[bg]
		if !ok1 || !ok2 {
			t.Fatalf("%s: colour --%s on --%s: a variable is not defined", sel, fg[1], bg)
		}
		if r := contrast(fc, bc); r < 4.5 {
			t.Errorf("%s: --%s (#%s) on --%s (#%s) is %.2f:1, below 4.5:1", sel, fg[1], fc, bg, bc, r)
		}
		checked++
	}
	if checked < 15 {
		t.Fatalf("checked only %d text colours", checked)
	}
}

// contrast returns the WCAG contrast ratio of two hex colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

// The ratio is the WCAG formula's: black on white is 21:1, a colour on
// itself 1:1, and #767676 on white just passes.
func TestContrastFormula(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"000000", "ffffff", 21}, {"777777", "777777", 1}, {"767676", "ffffff", 4.54}} {
		if got := contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}
