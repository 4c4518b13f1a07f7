package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
)

// emit prints v as JSON with -o json, or else as the table rows gives.
func emit(g *globals, v any, header []string, rows [][]string) error {
	if g.output == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func num(v float64) string { return fmt.Sprintf("%g", v) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
