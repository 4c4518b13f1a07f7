package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// rawExec runs statements on a database file without the store.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestBadDataDirectory opens stores over files Headroom cannot use. Each
// Open fails with a clear error and leaves the file as it was.
func TestBadDataDirectory(t *testing.T) {
	ctx := context.Background()
	newer := sqlite.SchemaVersion() + 6
	tests := []struct {
		name string
		// setup prepares the directory and returns the path to open.
		setup func(t *testing.T, dir string) string
		code  headroom.ErrorCode
		// want are substrings of the error message.
		want []string
	}{
		{
			name: "newer schema",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "headroom.db")
				must(t, mustOpen(t, p).Close())
				rawExec(t, p, "INSERT INTO schema_version (version, applied) VALUES ("+itoa(newer)+", 0)")
				return p
			},
			code: headroom.EINVALID,
			want: []string{"schema version " + itoa(newer) + ", which is newer than this Headroom supports (" + itoa(sqlite.SchemaVersion()) + "); upgrade Headroom"},
		},
		{
			name: "not a database",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "headroom.db")
				must(t, os.WriteFile(p, bytes.Repeat([]byte("these are not the pages you are looking for\n"), 200), 0o600))
				return p
			},
			code: headroom.EINVALID,
			want: []string{"is not a SQLite database", "untouched"},
		},
		{
			name: "short garbage",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "headroom.db")
				must(t, os.WriteFile(p, []byte("hi"), 0o600))
				return p
			},
			code: headroom.EINVALID,
			want: []string{"is not a SQLite database"},
		},
		{
			name: "another application's database",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "other.db")
				rawExec(t, p, "CREATE TABLE photos (id INTEGER PRIMARY KEY)", "INSERT INTO photos VALUES (1)")
				return p
			},
			code: headroom.EINVALID,
			want: []string{"is a SQLite database but not a Headroom store"},
		},
		{
			name: "directory",
			setup: func(t *testing.T, dir string) string {
				return dir
			},
			code: headroom.EINVALID,
			want: []string{"is a directory"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.setup(t, t.TempDir())
			before := readAll(t, path)
			s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if code := headroom.ErrorCodeOf(err); code != tt.code {
				t.Fatalf("error code = %s (%v), want %s", code, err, tt.code)
			}
			msg := headroom.ErrorMessage(err)
			for _, w := range append(tt.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not say %q", msg, w)
				}
			}
			if after := readAll(t, path); !bytes.Equal(before, after) {
				t.Errorf("Open changed %s", path)
			}
			t.Logf("%s", msg)
		})
	}
}

// TestSecondOpen opens a database that an open store holds: the second
// Open fails naming the path, and the first store keeps working.
func TestSecondOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "headroom.db")
	first := mustOpen(t, path)
	defer first.Close()
	second, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err == nil {
		second.Close()
		t.Fatal("second Open succeeded")
	}
	msg := headroom.ErrorMessage(err)
	if headroom.ErrorCodeOf(err) != headroom.EUNAVAILABLE || !strings.Contains(msg, path) || !strings.Contains(msg, "another running Headroom") {
		t.Fatalf("second Open: %v; want EUNAVAILABLE naming %s and another running Headroom", err, path)
	}
	t.Logf("%s", msg)
	k := headroom.UsageKey{Account: acct, Code: "L-U", Scope: "account"}
	if r, err := first.Reserve(ctx, headroom.CountChange{Key: k, Amount: 1, Limit: 5, Now: t0}); err != nil || !r.Applied {
		t.Fatalf("first store after the refused Open: %+v, %v", r, err)
	}
	// Once the first closes, the database opens again.
	must(t, first.Close())
	third := mustOpen(t, path)
	defer third.Close()
	if n, err := third.CountUsage(ctx, k); err != nil || n != 1 {
		t.Fatalf("usage after reopen = %d, %v", n, err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg   sqlite.Config
		field string
	}{
		{sqlite.Config{}, "Path"},
		{sqlite.Config{Path: "x", PurgeInterval: -1}, "PurgeInterval"},
		{sqlite.Config{Path: "x", IdempotencyRetention: -1}, "IdempotencyRetention"},
		{sqlite.Config{Path: "x", MaxBatch: -1}, "MaxBatch"},
		{sqlite.Config{Path: "x", ReadConns: -1}, "ReadConns"},
		{sqlite.Config{Path: "x", BusyTimeout: -1}, "BusyTimeout"},
	} {
		err := tc.cfg.Validate()
		var he *headroom.Error
		if !asError(err, &he) || he.Code != headroom.EINVALID || he.Field != tc.field {
			t.Errorf("Validate(%+v) = %v, want EINVALID naming %s", tc.cfg, err, tc.field)
		}
		if _, err := sqlite.Open(context.Background(), tc.cfg); headroom.ErrorCodeOf(err) != headroom.EINVALID {
			t.Errorf("Open(%+v) = %v, want EINVALID", tc.cfg, err)
		}
	}
	if err := (&sqlite.Config{Path: "x"}).Validate(); err != nil {
		t.Errorf("Validate of a minimal config: %v", err)
	}
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.IsDir() {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
