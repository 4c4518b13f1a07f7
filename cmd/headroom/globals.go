package main

import (
	"flag"
	"io"
	"strings"

	"github.com/headroomhq/headroom/httpapi"
)

// DefaultServer is where client commands look for the server by default.
const DefaultServer = "http://" + DefaultAddr

// globals are the flags every client command takes, before or after the
// command name.
type globals struct {
	server string
	token  string
	output string
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// parseGlobals takes --server, --token and -o/--output out of args,
// wherever they stand, and returns the rest in order.
func parseGlobals(args []string, getenv func(string) string) (*globals, []string, error) {
	g := &globals{server: getenv("HEADROOM_SERVER"), token: getenv("HEADROOM_TOKEN"), output: "table", getenv: getenv}
	if g.server == "" {
		g.server = DefaultServer
	}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var dst *string
		if strings.HasPrefix(a, "-") {
			switch name {
			case "server":
				dst = &g.server
			case "token":
				dst = &g.token
			case "o", "output":
				dst = &g.output
			}
		}
		if dst == nil {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, usageErrorf("flag %s needs a value", a)
			}
			i++
			value = args[i]
		}
		*dst = value
	}
	if g.output != "table" && g.output != "json" {
		return nil, nil, usageErrorf("-o must be table or json, not %q", g.output)
	}
	return g, rest, nil
}

func (g *globals) client() *httpapi.Client {
	return &httpapi.Client{BaseURL: g.server, Token: g.token}
}

// newFlags returns a flag set that reports errors as usage errors.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses and rejects stray arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageErrorf("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// required checks that string flags were given: name, value pairs.
func required(cmd string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return usageErrorf("%s needs --%s", cmd, pairs[i])
		}
	}
	return nil
}
