package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/headroomhq/headroom/internal/storetest"
	"github.com/headroomhq/headroom/internal/testsvc"
	"github.com/headroomhq/headroom/postgres"
	"github.com/headroomhq/headroom/sqlite"
)

// headroom migrate --to postgres://... copies a single-node installation
// into PostgreSQL: everything, checked, the secrets sealed with the
// source's key, which the nodes are then started with; and a server on
// the database serves the same state.
func TestMigrateToPostgres(t *testing.T) {
	ctx := context.Background()
	pg := testsvc.Postgres(t)
	src := t.TempDir()
	token := fillThroughServer(t, src)
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(src, DatabaseFile), SecretKey: dataKey(t, src)})
	if err != nil {
		t.Fatal(err)
	}
	storetest.FillSnapshot(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	attachment := addAttachment(t, src)
	want := exportDir(t, src)
	code, out, errs := cli(t, nil, "migrate", "--from", src, "--to", pg)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errs)
	}
	if !regexp.MustCompile(`(?m)^accounts\s+3$`).MatchString(out) || !strings.Contains(out, "checked the copy") ||
		!strings.Contains(errs, "HEADROOM_SECRET_KEY=$(cat "+filepath.Join(src, "secret-key")+")") {
		t.Fatalf("migrate output:\n%s%s", out, errs)
	}
	// The copy, read back by a store of its own with the source's key.
	p, err := postgres.Open(ctx, postgres.Config{URL: pg, SecretKey: dataKey(t, src)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The chat attachments' bytes are in the database, for every node.
	account, key, _ := strings.Cut(attachment.path, "/")
	blob, err := p.GetBlob(ctx, account, key)
	p.Close()
	if err != nil || !bytes.Equal(blob, attachment.data) {
		t.Fatalf("the attachment in PostgreSQL = %q, %v", blob, err)
	}
	wantCLIAlarms(t, "the source", want)
	if d := storetest.SnapshotDiff(got, want); d != "" {
		t.Fatalf("the PostgreSQL copy differs from the source: %s", d)
	}
	wantCLIAlarms(t, "the PostgreSQL copy", got)
	// A node on the database, with the source's key and operator token,
	// serves the same state.
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.Config.Store, m.Config.AdminToken = "127.0.0.1:0", t.TempDir(), pg, token
	m.Config.SecretKey = strings.TrimSpace(string(mustRead(t, filepath.Join(src, "secret-key"))))
	m.Stderr = &lockedBuffer{}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	env := map[string]string{"HEADROOM_SERVER": m.URL(), "HEADROOM_TOKEN": token}
	code, out, errs = cli(t, env, "quotas", "get", "--account", "123456789012", "--code", "L-9A46857E", "--scope", "instance/i-1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"usage": 2`) || !strings.Contains(out, `"value": 3`) {
		t.Fatalf("quotas get on the PostgreSQL copy: exit %d\n%s%s", code, out, errs)
	}
	if k, err := m.Engine().FindAccessKey(ctx, "AKIAZZZZ"); err != nil || k.Secret != "secret-z" {
		t.Fatalf("access key on the copy = %+v, %v", k, err)
	}
	wantCLIAlarmsServed(t, env, m.Engine())
	// A second copy into the same, now full, database is refused.
	code, _, errs = cli(t, nil, "migrate", "--from", src, "--to", pg)
	if code != 1 || !strings.Contains(errs, "not empty") {
		t.Fatalf("migrate into a full database: exit %d %s", code, errs)
	}
	// A bad URL's password never shows.
	code, _, errs = cli(t, nil, "migrate", "--from", src, "--to", "mysql://u:hunter2@h/db")
	if code == 0 || strings.Contains(errs, "hunter2") {
		t.Fatalf("unknown destination: exit %d %s", code, errs)
	}
}
