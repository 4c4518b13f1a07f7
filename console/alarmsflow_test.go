package console_test

import (
	"strings"
	"testing"
)

// evaluateAlarms runs one alarm evaluation pass and one usage history
// recording, as the server's timers do each minute.
func evaluateAlarms(t *testing.T, f *fixture) {
	t.Helper()
	e := f.m.Engine()
	if _, err := e.RecordHistory(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.EvaluateAlarms(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// checkFiringAlarm checks that the quota at 90 % fires a warning, on its
// page and on the alarms page.
func checkFiringAlarm(t *testing.T, b *browser, f *fixture) {
	t.Helper()
	got := b.text("#quota-alarms")
	if !strings.Contains(got, "WARNING") || !strings.Contains(got, "90 of 100") {
		t.Fatalf("the quota's alarm: %q", got)
	}
	b.open(f.url + "/console/alarms")
	got = b.text("#alarms")
	if !strings.Contains(got, "WARNING") || !strings.Contains(got, "Maximum domains per account") || !strings.Contains(got, tenantA) {
		t.Fatalf("the alarms page: %q", got)
	}
}
