package testsvc

import (
	"context"
	"testing"
)

func TestPostgresSchemaIsPrivate(t *testing.T) {
	url := Postgres(t)
	ctx := context.Background()
	c, err := Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE TABLE probe (x int)"); err != nil {
		t.Fatal(err)
	}
	var schema string
	if err := c.QueryRow(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe'").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if schema == "public" || schema == "" {
		t.Fatalf("table landed in schema %q, want the test's own", schema)
	}
}

func TestRedisReachable(t *testing.T) {
	addr, prefix := Redis(t)
	if addr == "" || prefix == "" {
		t.Fatalf("Redis() = %q, %q", addr, prefix)
	}
}
