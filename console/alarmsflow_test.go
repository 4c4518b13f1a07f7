package console_test

import "testing"

// TEMPORARY until the alarms land.
func evaluateAlarms(t *testing.T, f *fixture) {}

func checkFiringAlarm(t *testing.T, b *browser, f *fixture) {}
