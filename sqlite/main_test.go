package sqlite_test

import (
	"os"
	"testing"
)

// cleanups run after every test and benchmark of the package, for fixtures
// shared between benchmark runs.
var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	os.Exit(code)
}
