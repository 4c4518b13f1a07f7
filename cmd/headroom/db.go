package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/sqlite"
)

// cmdDB runs the database maintenance commands, which work on the data
// directory's files directly, without a server.
func cmdDB(ctx context.Context, g *globals, args []string) error {
	return sub(ctx, g, "db", args, map[string]command{"check": cmdDBCheck, "recover": cmdDBRecover})
}

// dbPath adds the --data and --file flags of the db commands to fs and
// returns a function that tells the database file they name: --file, else
// headroom.db in --data, HEADROOM_DATA or the default data directory.
func dbPath(g *globals, fs interface {
	String(name, value, usage string) *string
}) func() string {
	data := fs.String("data", "", "data directory (default $HEADROOM_DATA, else "+DefaultDataDir+")")
	file := fs.String("file", "", "the database file, instead of "+DatabaseFile+" in the data directory")
	return func() string {
		if *file != "" {
			return *file
		}
		dir := *data
		if dir == "" {
			dir = g.getenv("HEADROOM_DATA")
		}
		if dir == "" {
			dir = DefaultDataDir
		}
		return filepath.Join(dir, DatabaseFile)
	}
}

// cmdDBCheck runs the full integrity check, prints the problems and fails
// (exit 1) if there are any.
func cmdDBCheck(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("db check")
	path := dbPath(g, fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p := path()
	problems, err := sqlite.Check(ctx, p)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(g.stdout, "%s: ok\n", p)
		return nil
	}
	for _, pr := range problems {
		fmt.Fprintln(g.stdout, pr)
	}
	return headroom.Errorf(headroom.EINVALID,
		"%s is damaged (%d problem(s) listed above): restore it from a backup, or copy what is readable with \"headroom db recover --file %s --to FILE\"", p, len(problems), p)
}

// cmdDBRecover copies everything readable of the database into a new file
// and prints what it copied and what it could not read.
func cmdDBRecover(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("db recover")
	path := dbPath(g, fs)
	to := fs.String("to", "", "the new database file to write; it must not exist")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required("db recover", "to", *to); err != nil {
		return err
	}
	p := path()
	rec, err := sqlite.Recover(ctx, p, *to)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, t := range rec.Tables {
		skipped := strconv.Itoa(t.Skipped)
		if t.SkippedUnknown {
			skipped = "some (number unknown)"
			if t.Skipped > 0 {
				skipped = "at least " + strconv.Itoa(t.Skipped)
			}
		}
		rows = append(rows, []string{t.Name, strconv.Itoa(t.Copied), skipped, strings.Join(t.Problems, "; ")})
	}
	if err := emit(g, rec, []string{"TABLE", "COPIED", "UNREADABLE", "PROBLEMS"}, rows); err != nil {
		return err
	}
	if g.output != "json" {
		if rec.ForeignKeyProblems > 0 {
			fmt.Fprintf(g.stdout, "%d copied rows name a row that could not be read (see PRAGMA foreign_key_check)\n", rec.ForeignKeyProblems)
		}
		state := "every row was read"
		if rec.Damaged() {
			state = "rows that could not be read were skipped, as listed"
		}
		fmt.Fprintf(g.stdout, "wrote %s (%s); %s was not changed.\nTo use it: stop Headroom, move %s and any %s-wal and %s-shm away, and move %s to %s.\n"+
			"Encrypted access-key secrets were copied as they are: the new database needs the same secret key (the secret-key file beside it, or HEADROOM_SECRET_KEY).\n",
			*to, state, p, p, p, p, *to, p)
	}
	return nil
}
