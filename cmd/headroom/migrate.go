package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/blobdir"
	"github.com/headroomhq/headroom/postgres"
	"github.com/headroomhq/headroom/server"
	"github.com/headroomhq/headroom/sqlite"
)

// destination is a store that a migration writes into: it takes the
// snapshot, and gives its own back for the check that follows.
type destination interface {
	headroom.Store
	headroom.Exporter
	headroom.Importer
}

// cmdMigrate copies a whole single-node installation (the database of a
// data directory) into another store, then checks the copy by exporting
// it and comparing it with what was read.
func cmdMigrate(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("migrate")
	from := fs.String("from", "", "data directory of the installation to copy ("+DatabaseFile+" and its "+server.SecretKeyFile+" file)")
	to := fs.String("to", "", "where to copy it: sqlite:DIR, a new data directory, or a postgres:// URL of an empty database (schema)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("migrate", "from", *from, "to", *to); err != nil {
		return err
	}
	dir, toSQLite := strings.CutPrefix(*to, "sqlite:")
	if toSQLite && sameDir(*from, dir) {
		return usageErrorf("migrate: --to names the source directory %s; give a new data directory", *from)
	}
	snap, err := readSource(ctx, g, *from)
	if err != nil {
		return err
	}
	dst, closeDst, err := openDestination(ctx, g, *to, *from)
	if err != nil {
		return err
	}
	err = copyInto(ctx, dst, snap, *to)
	attachments := 0
	if err == nil {
		attachments, err = copyAttachments(ctx, *from, dst, dir, toSQLite)
	}
	if cerr := closeDst(); err == nil && cerr != nil {
		err = cerr
	}
	var files []string
	if err == nil && toSQLite {
		files, err = copyDataFiles(*from, dir)
	}
	if err != nil {
		return err
	}
	rows := append(snapshotCounts(snap), countRow{"chat attachments", attachments})
	table := make([][]string, len(rows))
	counts := make(map[string]int, len(rows))
	for i, r := range rows {
		table[i] = []string{r.kind, strconv.Itoa(r.n)}
		counts[r.kind] = r.n
	}
	if err := emit(g, map[string]any{"from": *from, "to": *to, "copied": counts, "template_associated": snap.TemplateAssociated, "verified": true},
		[]string{"KIND", "COPIED"}, table); err != nil {
		return err
	}
	if g.output != "json" {
		fmt.Fprintf(g.stdout, "copied %s to %s and checked the copy: it holds the same state; %s was not changed.\n", *from, *to, *from)
		if len(files) > 0 {
			fmt.Fprintf(g.stdout, "copied the files %s of the data directory too.\n", strings.Join(files, ", "))
		}
	}
	return nil
}

// copyInto imports snap into dst and checks that dst then exports the
// same.
func copyInto(ctx context.Context, dst destination, snap headroom.Snapshot, to string) error {
	if err := dst.Import(ctx, snap); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ECONFLICT {
			return headroom.Errorf(headroom.ECONFLICT, "the destination %s is not empty; migrate copies into an empty store only, and changed nothing (%s)",
				to, headroom.ErrorMessage(err))
		}
		return fmt.Errorf("copy into %s: %w", to, err)
	}
	got, err := dst.Export(ctx)
	if err != nil {
		return fmt.Errorf("read back %s: %w", to, err)
	}
	if d := snapshotDiff(got, snap); d != "" {
		return headroom.Errorf(headroom.EINTERNAL, "the copy in %s differs from the source: %s. Do not use it; remove it and report this", to, d)
	}
	return nil
}

// readSource reads the whole state of the data directory dir, read-only,
// with the key of its access-key secrets.
func readSource(ctx context.Context, g *globals, dir string) (headroom.Snapshot, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID, "--from %s: there is no such directory", dir)
	}
	if err != nil {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EUNAVAILABLE, "--from %s: %v", dir, err)
	}
	if !fi.IsDir() {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID, "--from %s is not a directory: give the data directory that holds %s", dir, DatabaseFile)
	}
	path := filepath.Join(dir, DatabaseFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return headroom.Snapshot{}, headroom.Errorf(headroom.EINVALID, "--from %s holds no database (%s): give the data directory of a Headroom installation", dir, DatabaseFile)
	}
	key, _, err := secretKey(g, dir, false)
	if err != nil {
		return headroom.Snapshot{}, err
	}
	return sqlite.ExportFile(ctx, path, key)
}

// openDestination opens the store named by dest, into which migrate
// copies an installation. The scheme picks the backend:
//
//	sqlite:DIR       a data directory, made if it does not exist
//	postgres://...   a PostgreSQL database; its schema (the first of the
//	                 URL's search_path) is migrated if new, and must be empty
//
// It returns the store and the function that closes it. g gives the
// environment (HEADROOM_SECRET_KEY) and where to report.
func openDestination(ctx context.Context, g *globals, dest, from string) (destination, func() error, error) {
	scheme, rest, ok := strings.Cut(dest, ":")
	if !ok {
		return nil, nil, usageErrorf("migrate: --to %q names no kind of store: give sqlite:DIR or a postgres:// URL", dest)
	}
	switch scheme {
	case "sqlite":
		return openSQLiteDestination(ctx, g, rest)
	case "postgres", "postgresql":
		return openPostgresDestination(ctx, g, dest, from)
	}
	return nil, nil, usageErrorf("migrate: --to %q: unknown kind of store %q; known: sqlite:DIR, postgres://...", redactURL(dest), scheme)
}

// openPostgresDestination opens the PostgreSQL store at dsn. The
// access-key secrets are sealed with HEADROOM_SECRET_KEY, else with the
// source directory's key, which every node of the database then needs.
func openPostgresDestination(ctx context.Context, g *globals, dsn, from string) (destination, func() error, error) {
	key, _, err := secretKey(g, from, false)
	if err != nil {
		return nil, nil, err
	}
	s, err := postgres.Open(ctx, postgres.Config{URL: dsn, SecretKey: key, Logger: slog.New(slog.NewTextHandler(g.stderr, nil))})
	if err != nil {
		return nil, nil, err
	}
	if key != nil && g.getenv("HEADROOM_SECRET_KEY") == "" {
		fmt.Fprintf(g.stderr, "the access-key secrets are sealed with the key in %s: start every node with HEADROOM_SECRET_KEY=$(cat %s)\n",
			filepath.Join(from, server.SecretKeyFile), filepath.Join(from, server.SecretKeyFile))
	}
	return s, s.Close, nil
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(a URL that does not parse)"
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	if aa == bb {
		return true
	}
	fa, err1 := os.Stat(aa)
	fb, err2 := os.Stat(bb)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// openSQLiteDestination opens (or makes) the database of the data
// directory dir, with its secret key as the server would take it:
// HEADROOM_SECRET_KEY, else the directory's key file, else a new one
// written there. The access-key secrets are sealed again with that key.
func openSQLiteDestination(ctx context.Context, g *globals, dir string) (destination, func() error, error) {
	if dir == "" {
		return nil, nil, usageErrorf("migrate: --to sqlite: needs a directory, as sqlite:/var/lib/headroom-new")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, headroom.Errorf(headroom.EUNAVAILABLE, "cannot create data directory %s: %v", dir, err)
	}
	key, made, err := secretKey(g, dir, true)
	if err != nil {
		return nil, nil, err
	}
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, DatabaseFile), SecretKey: key,
		Logger: slog.New(slog.NewTextHandler(g.stderr, nil))})
	if err != nil {
		if made {
			os.Remove(filepath.Join(dir, server.SecretKeyFile))
		}
		return nil, nil, err
	}
	if made {
		fmt.Fprintf(g.stderr, "made a new key for the access-key secrets of the copy, in %s; back it up apart from the database\n",
			filepath.Join(dir, server.SecretKeyFile))
	}
	return s, s.Close, nil
}

// copyDataFiles copies the operator token file, the paging key file and
// the console key file of the data directory from into the data directory
// to, each unless from has none or to has one, so that the operator's
// token, the NextTokens handed out before and the console sessions open
// before work with the copy. It returns the files it copied.
func copyDataFiles(from, to string) ([]string, error) {
	var copied []string
	for _, name := range []string{AdminTokenFile, server.PagingKeyFile, server.ConsoleKeyFile} {
		data, err := os.ReadFile(filepath.Join(from, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return copied, headroom.Errorf(headroom.EUNAVAILABLE, "cannot read %s of %s: %v", name, from, err)
		}
		f, err := os.OpenFile(filepath.Join(to, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err == nil {
			_, err = f.Write(data)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return copied, headroom.Errorf(headroom.EUNAVAILABLE, "cannot copy %s into %s: %v", name, to, err)
		}
		copied = append(copied, name)
	}
	return copied, nil
}

// secretKey returns the key of the access-key secrets of the data
// directory dir, as the server takes it: HEADROOM_SECRET_KEY, else the
// directory's key file. Without either it returns no key, or, if create,
// a new one written to the key file (made).
func secretKey(g *globals, dir string, create bool) (key []byte, made bool, err error) {
	if v := g.getenv("HEADROOM_SECRET_KEY"); v != "" {
		key, err := decodeSecretKey("HEADROOM_SECRET_KEY", v)
		return key, false, err
	}
	path := filepath.Join(dir, server.SecretKeyFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := decodeSecretKey(path, strings.TrimSpace(string(data)))
		return key, false, err
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, headroom.Errorf(headroom.EUNAVAILABLE, "cannot read secret key file %s: %v", path, err)
	case !create:
		return nil, false, nil
	}
	key = make([]byte, sqlite.SecretKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, headroom.Errorf(headroom.EINTERNAL, "cannot make a secret key: %v", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = f.WriteString(hex.EncodeToString(key) + "\n")
		if serr := f.Sync(); err == nil {
			err = serr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}
	if err != nil {
		return nil, false, headroom.Errorf(headroom.EUNAVAILABLE, "cannot write secret key file %s: %v", path, err)
	}
	return key, true, nil
}

// decodeSecretKey decodes a key of SecretKeySize bytes in hex.
func decodeSecretKey(where, s string) ([]byte, error) {
	key, err := hex.DecodeString(s)
	if err != nil || len(key) != sqlite.SecretKeySize {
		return nil, headroom.Errorf(headroom.EINVALID, "%s must hold %d hex digits (a %d-byte key)", where, 2*sqlite.SecretKeySize, sqlite.SecretKeySize)
	}
	return key, nil
}

// countRow is one kind of state and how many of it a snapshot holds.
type countRow struct {
	kind string
	n    int
}

// snapshotCounts counts each kind of state in snap, in the order of the
// Snapshot's fields.
func snapshotCounts(snap headroom.Snapshot) []countRow {
	return []countRow{
		{"accounts", len(snap.Accounts)},
		{"overrides", len(snap.Overrides)},
		{"access keys", len(snap.AccessKeys)},
		{"tokens", len(snap.Tokens)},
		{"usage counters", len(snap.Counts)},
		{"plain counters", len(snap.Counters)},
		{"leases", len(snap.Leases)},
		{"idempotency keys", len(snap.IdempotencyKeys)},
		{"change requests", len(snap.Requests)},
		{"transitions", len(snap.Transitions)},
		{"template entries", len(snap.Template)},
		{"audit entries", len(snap.Audit)},
		{"resources", len(snap.Resources)},
		{"resource tokens", len(snap.ResourceTokens)},
		{"tagged resources", len(snap.Tags)},
		{"alarm rules", len(snap.AlarmRules)},
		{"alarm states", len(snap.AlarmStates)},
		{"webhooks", len(snap.Webhooks)},
		{"notifications", len(snap.Notifications)},
	}
}

// snapshotDiff returns "" if a and b hold the same state, or else names
// the first field (and element) where they differ, with both values.
// Values are compared as Go syntax prints them, so that a NaN (a quota
// value SQLite keeps as NULL) equals itself.
func snapshotDiff(a, b headroom.Snapshot) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	same := func(x, y reflect.Value) bool {
		return fmt.Sprintf("%#v", x.Interface()) == fmt.Sprintf("%#v", y.Interface())
	}
	for i := 0; i < va.NumField(); i++ {
		name := va.Type().Field(i).Name
		fa, fb := va.Field(i), vb.Field(i)
		if same(fa, fb) {
			continue
		}
		if fa.Kind() != reflect.Slice {
			return fmt.Sprintf("%s is %v in the copy and %v in the source", name, fa.Interface(), fb.Interface())
		}
		for j := 0; j < min(fa.Len(), fb.Len()); j++ {
			if !same(fa.Index(j), fb.Index(j)) {
				return fmt.Sprintf("%s[%d] is %+v in the copy and %+v in the source", name, j, fa.Index(j).Interface(), fb.Index(j).Interface())
			}
		}
		return fmt.Sprintf("the copy has %d %s, the source %d", fa.Len(), name, fb.Len())
	}
	return ""
}

// copyAttachments copies the chat attachments' bytes kept in from's
// attachments folder into the destination: the database itself when it
// keeps blobs (PostgreSQL), else the new data directory's folder. Each is
// read back and compared. It returns how many it copied.
func copyAttachments(ctx context.Context, from string, dst headroom.Store, dir string, toSQLite bool) (int, error) {
	root := filepath.Join(from, "attachments")
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	to, ok := dst.(headroom.BlobStore)
	if !ok && toSQLite {
		var err error
		if to, err = blobdir.Open(filepath.Join(dir, "attachments")); err != nil {
			return 0, err
		}
	} else if !ok {
		return 0, headroom.Errorf(headroom.EINTERNAL, "the destination keeps no chat attachments")
	}
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") { // .put-*: a write that never finished
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		account, key, ok := strings.Cut(filepath.ToSlash(rel), "/")
		if !ok {
			return nil // not an attachment: attachments are account/contact/id
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := to.PutBlob(ctx, account, key, data); err != nil {
			return err
		}
		back, err := to.GetBlob(ctx, account, key)
		if err != nil || !bytes.Equal(back, data) {
			return headroom.Errorf(headroom.EINTERNAL, "the copy of attachment %s differs from the source (%v). Do not use it; remove it and report this", rel, err)
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("copy chat attachments: %w", err)
	}
	return n, nil
}
