package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/headroomhq/headroom"
)

// Problem is one thing wrong with a catalog file: where it is and what it is.
//
// Its text has the form
//
//	custom.yaml:12: quota L-XYZ: burst: burst 1 is below the rate 2
//
// where the line, the quota and the field are left out when they are unknown
// or do not apply. A Problem is not changed after Parse returns it, so it is
// safe to read from several goroutines.
type Problem struct {
	// File is the name given to Parse, or the path given to Load.
	File string
	// Line is the 1-based line the problem is on, or 0 when it has none
	// (an empty file, a YAML error without a position).
	Line int
	// Code is the code of the quota or override the problem is in; "" for
	// problems of the file as a whole.
	Code string
	// Field is the field at fault, written as in the file: "burst",
	// "cohorts[0].value", "metric.name". It may be "".
	Field string
	// Message says what is wrong.
	Message string
}

// Error implements the error interface.
func (p *Problem) Error() string {
	return p.where() + p.field() + p.Message
}

// Unwrap returns the problem as a *headroom.Error of code EINVALID whose Field
// is the problem's field and whose Message is the problem's location and
// message, so that headroom.ErrorCodeOf and headroom.ErrorMessage report it
// like any other invalid input.
func (p *Problem) Unwrap() error {
	return &headroom.Error{Code: headroom.EINVALID, Field: p.Field, Message: p.where() + p.Message}
}

// where renders "file:line: quota CODE: ".
func (p *Problem) where() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Code != "" {
		b.WriteString("quota ")
		b.WriteString(p.Code)
		b.WriteString(": ")
	}
	return b.String()
}

func (p *Problem) field() string {
	if p.Field == "" {
		return ""
	}
	return p.Field + ": "
}

// ValidationError is returned by Parse, Load and Default for a catalog file
// that cannot be used. It lists every problem found, in line order, not just
// the first. errors.As finds each problem both as a *Problem and as a
// *headroom.Error of code EINVALID (see Problem.Unwrap). Like its problems,
// it is not changed after it is returned and is safe for concurrent reads.
type ValidationError struct {
	// File is the name given to Parse, or the path given to Load.
	File string
	// Problems holds at least one problem, sorted by line.
	Problems []*Problem
}

// Error implements the error interface: one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	if len(lines) == 0 {
		return e.File + ": invalid catalog"
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.As and errors.Is.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems collects the problems of one file.
type problems struct {
	file string
	list []*Problem
}

func (ps *problems) addf(line int, code, field, format string, args ...any) {
	ps.list = append(ps.list, &Problem{File: ps.file, Line: line, Code: code, Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns a *ValidationError holding the problems sorted by line, or nil
// if there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	list := append([]*Problem(nil), ps.list...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Line < list[j].Line })
	return &ValidationError{File: ps.file, Problems: list}
}
