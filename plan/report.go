package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints a plan for a person: the quotas the forecast touches,
// breaking ones first, then the increase requests to file and the notes.
func WriteTable(w io.Writer, res *Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tSCOPE\tAPPLIED\tPEAK\tHEADROOM\tBREAKS AT\tOVER BY\tREFUSED")
	for _, q := range res.Quotas {
		peak, room := number(q.Peak), number(q.Headroom)
		if q.UnstableAt != nil && q.Peak <= q.Applied {
			peak, room = "unstable", "-"
		}
		breaks, over := "-", "-"
		if q.BreaksAt != nil {
			breaks = stamp(*q.BreaksAt, q.Model)
			if q.Over > 0 {
				over = fmt.Sprintf("%s (%.0f%%)", number(q.Over), 100*q.Over/nonZero(q.Applied))
			} else if q.UnstableAt != nil {
				over = "unbounded"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", q.Code, q.Name, q.Scope, number(q.Applied), peak, room, breaks, over, refused(q))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, q := range res.Quotas {
		if q.Model == ModelVoice && anyLoad(q.Series) {
			if err := writeIntervals(w, q); err != nil {
				return err
			}
		}
	}
	fmt.Fprintln(w)
	if len(res.Requests) == 0 {
		fmt.Fprintln(w, "No increase requests needed.")
	} else {
		fmt.Fprintln(w, "Increase requests to file:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FILE BY\tCODE\tSCOPE\tFROM\tTO\tBREAKS AT\tFILED")
		for _, r := range res.Requests {
			by := r.FileBy.Format(time.DateOnly)
			if r.Late {
				by += " (late: file now)"
			}
			filed := "-"
			if r.Filed != nil {
				filed = r.Filed.ID + " " + r.Filed.Status
				if r.Filed.Already {
					filed += " (already open)"
				}
			}
			from := "-"
			for _, q := range res.Quotas {
				if q.Code == r.Code && q.Scope == r.Scope {
					from = number(q.Applied)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", by, r.Code, r.Scope, from, number(r.Value), r.BreaksAt.Format("2006-01-02 15:04"), filed)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if sim := res.Simulation; sim != nil {
		fmt.Fprintf(w, "\nChecked by simulation through the engine, %d runs (%.0f simulated hours per CPU second):\n", sim.Runs, sim.HoursPerCPUSecond)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tOFFERED\tREFUSED (SIMULATED)\tREFUSED (MODEL)")
		for _, q := range sim.Quotas {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s ± %s\t%s\n", q.Code, q.Name, q.Offered, pct(q.Measured), pct(q.StdErr), pct(q.Model))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(res.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range res.Notes {
			fmt.Fprintln(w, "- "+n)
		}
	}
	return nil
}

// writeIntervals prints the voice model interval by interval: the agents,
// the load, the percentiles of calls handled plus waiting, the chance the
// quota is full, the share hearing the reorder tone, and the service level.
func writeIntervals(w io.Writer, q QuotaPlan) error {
	fmt.Fprintf(w, "\n%s (%s, applied %s) by interval:\n", q.Name, q.Scope, number(q.Applied))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "START\tMINUTES\tAGENTS\tERLANGS\tP95\tP99\tP(FULL)\tREORDER\tABANDON\tSERVICE LEVEL")
	for _, p := range q.Series {
		mins := number(p.End.Sub(p.At).Minutes())
		if p.Unstable {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\tunstable\tunstable\t100%%\t%s\t-\t-\n", p.At.Format("2006-01-02 15:04"), mins, p.Servers, p.Offered, pct(p.Refused))
			continue
		}
		sl := "-"
		if p.Offered > 0 {
			sl = pct(p.ServiceLevel)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\n", p.At.Format("2006-01-02 15:04"), mins, p.Servers, p.Offered,
			number(p.P95), number(p.P99), pct(p.PHit), pct(p.Refused), pct(p.Abandoned), sl)
	}
	return tw.Flush()
}

func pct(v float64) string {
	switch {
	case v <= 0:
		return "0%"
	case v < 0.0001:
		return "<0.01%"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

// WriteJSON prints the plan as JSON, indented.
func WriteJSON(w io.Writer, res *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func refused(q QuotaPlan) string {
	if q.MaxRefused <= 0 {
		return "0%"
	}
	what := "refused"
	switch q.Model {
	case ModelVoice:
		what = "reorder tone"
	case ModelAPI:
		what = "throttled"
	}
	p := 100 * q.MaxRefused
	if p < 0.01 {
		return fmt.Sprintf("<0.01%% %s", what)
	}
	return fmt.Sprintf("%.2f%% %s", p, what)
}

func stamp(t time.Time, model string) string {
	if model == ModelCount {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04")
}

func number(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strings.TrimRight(strings.TrimRight(strconv.FormatFloat(v, 'f', 2, 64), "0"), ".")
}

func nonZero(v float64) float64 {
	if v == 0 {
		return 1
	}
	return v
}
