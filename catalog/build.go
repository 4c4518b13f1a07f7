package catalog

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
	"go.yaml.in/yaml/v3"
)

// builder turns a decoded file into quota definitions, recording every
// problem with its line.
type builder struct {
	*problems
	tree tree
	// list holds the quotas in catalog order: the extended catalog's first.
	list   []*entry
	byCode map[string]*entry
	// extended is set when the file extends the default catalog.
	extended bool
	// broken marks entries that could not be decoded (see decoded).
	broken map[string]map[int]bool
}

// entry is one quota definition being built.
type entry struct {
	q headroom.Quota
	// node is the definition's mapping in the file; nil for a quota of the
	// extended catalog.
	node *yaml.Node
	// valid is set when the definition passed every check so far; only
	// valid definitions are checked further, so that one mistake is not
	// reported twice.
	valid bool
	// broken is set for a definition that could not be decoded; it holds
	// only its node.
	broken bool
}

// header checks version and extends, and loads the extended catalog.
func (b *builder) header(f *fileYAML, mayExtend bool) {
	b.byCode = map[string]*entry{}
	switch {
	case f.Version == nil:
		b.addf(b.tree.line("version"), "", "version", "missing; a catalog file starts with \"version: %d\"", supportedVersion)
	case *f.Version != supportedVersion:
		b.addf(b.tree.line("version"), "", "version", "unsupported version %d (want %d)", *f.Version, supportedVersion)
	}
	switch {
	case f.Extends == "":
	case f.Extends != extendsDefault:
		b.addf(b.tree.line("extends"), "", "extends", "unknown catalog %q (want %q, or no extends)", f.Extends, extendsDefault)
	case !mayExtend:
		b.addf(b.tree.line("extends"), "", "extends", "the default catalog cannot extend itself")
	default:
		def, err := Default()
		if err != nil {
			b.addf(b.tree.line("extends"), "", "extends", "the default catalog is unusable: %v", err)
			return
		}
		b.extended = true
		for _, q := range def.Quotas() {
			e := &entry{q: cloneQuota(*q), valid: true}
			b.list = append(b.list, e)
			b.byCode[q.Code] = e
		}
	}
}

// quotas converts and validates the file's definitions.
func (b *builder) quotas(defs []quotaYAML) {
	nodes := b.tree.items("quotas")
	for i := range defs {
		def := &defs[i]
		node := item(nodes, i)
		if b.broken["quotas"][i] {
			// Reported already; keep the code known so that overrides
			// of it are not reported as unknown.
			if _, dup := b.byCode[def.Code]; !dup && def.Code != "" {
				b.byCode[def.Code] = &entry{node: node, broken: true}
			}
			continue
		}
		if def.PerOperation {
			for _, d := range b.perOperation(node, def) {
				b.add(node, &d)
			}
			continue
		}
		b.add(node, def)
	}
}

// add converts, validates and records one definition.
func (b *builder) add(node *yaml.Node, def *quotaYAML) {
	q, reported := b.convert(node, def)
	valid := b.check(node, &q, reported) && len(reported) == 0
	if prev, dup := b.byCode[q.Code]; dup && q.Code != "" {
		if prev.node == nil {
			b.addf(fieldLine(node, "code"), q.Code, "code", "duplicate code: the default catalog this file extends already defines it; change its value with overrides")
		} else {
			b.addf(fieldLine(node, "code"), q.Code, "code", "duplicate code: already defined at line %d", fieldLine(prev.node, "code"))
		}
		return
	}
	e := &entry{q: q, node: node, valid: valid}
	b.list = append(b.list, e)
	b.byCode[q.Code] = e
}

// perOperation expands a per_operation definition into one rate quota for
// each operation it lists, "{operation}" in its code, name and description
// standing for the operation's name: each operation gets its own code, and
// so its own bucket and its own applied value. It reports a definition that
// cannot be expanded and returns no quota for it.
func (b *builder) perOperation(node *yaml.Node, def *quotaYAML) []quotaYAML {
	bad := func(field, format string, args ...any) {
		b.addf(fieldLine(node, field), def.Code, field, format, args...)
	}
	ok := true
	if def.Kind != string(headroom.KindRate) {
		bad("per_operation", "only a rate quota can be per operation, not kind %q", def.Kind)
		ok = false
	}
	for _, f := range []struct{ field, text string }{{"code", def.Code}, {"name", def.Name}} {
		if !strings.Contains(f.text, operationPlaceholder) {
			bad(f.field, "a per_operation quota names each operation with %s", operationPlaceholder)
			ok = false
		}
	}
	if len(def.Operations) == 0 {
		bad("operations", "a per_operation quota lists the operations it stands for")
		ok = false
	}
	if !ok {
		return nil
	}
	out := make([]quotaYAML, 0, len(def.Operations))
	for _, op := range def.Operations {
		_, name, found := strings.Cut(op, ":")
		if !found || name == "" || name == "*" || strings.ContainsAny(name, ":{}*") {
			bad("operations", "%q: a per_operation quota lists each operation as api:Operation", op)
			continue
		}
		d := *def
		d.PerOperation = false
		d.Code = strings.ReplaceAll(def.Code, operationPlaceholder, name)
		d.Name = strings.ReplaceAll(def.Name, operationPlaceholder, name)
		d.Description = strings.ReplaceAll(def.Description, operationPlaceholder, name)
		d.Operations = []string{op}
		out = append(out, d)
	}
	return out
}

// check runs headroom.Quota.Validate and reports its problem against the
// line of the field inside at, the definition or override being checked,
// unless the field is one in skip, already reported. It reports whether the
// quota is valid.
func (b *builder) check(at *yaml.Node, q *headroom.Quota, skip map[string]bool) bool {
	err := q.Validate()
	if err == nil {
		return true
	}
	var he *headroom.Error
	switch {
	case !errors.As(err, &he):
		b.addf(fieldLine(at, ""), q.Code, "", "%v", err)
	case !skip[he.Field]:
		b.addf(fieldLine(at, he.Field), q.Code, he.Field, "%s", he.Message)
	}
	return false
}

// convert maps a definition onto headroom.Quota. It reports what Validate
// cannot see (a missing value, dates, the metric, partners) and returns the
// fields it reported. A quota with a bad cohort gets no cohorts, so that
// Validate does not report the same cohort again.
func (b *builder) convert(node *yaml.Node, d *quotaYAML) (q headroom.Quota, reported map[string]bool) {
	q = headroom.Quota{
		Code:          d.Code,
		Service:       d.Service,
		Name:          strings.TrimSpace(d.Name),
		Description:   strings.TrimSpace(d.Description),
		Kind:          headroom.Kind(d.Kind),
		Scope:         headroom.ScopeTemplate(d.Scope),
		Unit:          headroom.Unit(d.Unit),
		Burst:         d.Burst,
		Adjustable:    d.Adjustable,
		Allow:         d.Allow,
		Deny:          d.Deny,
		Match:         headroom.SetMatch(d.Match),
		Uncounted:     d.Uncounted,
		UnavailableTo: d.UnavailableTo,
		Unavailable:   strings.TrimSpace(d.Unavailable),
		Operations:    d.Operations,
	}
	for _, x := range d.Invented {
		q.Invented = append(q.Invented, headroom.Invented{Field: strings.TrimSpace(x.Field), Value: strings.TrimSpace(x.Value),
			Note: strings.TrimSpace(x.Note)})
	}
	reported = map[string]bool{}
	bad := func(field, format string, args ...any) {
		b.addf(fieldLine(node, field), d.Code, field, format, args...)
		reported[field] = true
	}
	switch {
	case d.Value != nil:
		q.Value = *d.Value
	case q.Kind != headroom.KindSet:
		bad("value", "missing; every quota but a set needs a default value")
	}
	badCohort := false
	for i, c := range d.Cohorts {
		field := fmt.Sprintf("cohorts[%d]", i)
		from, okFrom := parseDate(c.CreatedFrom)
		if !okFrom {
			bad(field+".created_from", "bad date %q (want YYYY-MM-DD)", c.CreatedFrom)
		}
		until, okUntil := parseDate(c.CreatedBefore)
		if !okUntil {
			bad(field+".created_before", "bad date %q (want YYYY-MM-DD)", c.CreatedBefore)
		}
		if c.Value == nil {
			bad(field+".value", "missing")
		}
		if !okFrom || !okUntil || c.Value == nil {
			badCohort = true
			continue
		}
		q.Cohorts = append(q.Cohorts, headroom.Cohort{CreatedFrom: from, CreatedBefore: until, Value: *c.Value})
	}
	if badCohort {
		q.Cohorts = nil
	}
	if m := d.Metric; m != nil {
		if strings.TrimSpace(m.Namespace) == "" {
			bad("metric.namespace", "missing")
		}
		if strings.TrimSpace(m.Name) == "" {
			bad("metric.name", "missing")
		}
		q.Metric = &headroom.UsageMetric{Namespace: m.Namespace, Name: m.Name, Dimensions: m.Dimensions, Statistic: m.Statistic}
	}
	for _, p := range d.UnavailableTo {
		if !strings.EqualFold(p, headroom.PartnerAISPL) {
			bad("unavailable_to", "unknown partner %q (want %s)", p, headroom.PartnerAISPL)
		}
	}
	if q.Unavailable != "" && len(d.UnavailableTo) == 0 {
		bad("unavailable", "a message for no one: unavailable_to is empty")
	}
	return q, reported
}

// parseDate parses a YYYY-MM-DD date as midnight UTC; "" is the zero time.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

// overrides applies the file's overrides to the definitions.
func (b *builder) overrides(list []overrideYAML) {
	nodes := b.tree.items("overrides")
	firstAt := map[string]int{}
	for i, o := range list {
		node := item(nodes, i)
		if b.broken["overrides"][i] {
			continue
		}
		bad := func(field, format string, args ...any) {
			b.addf(fieldLine(node, field), o.Code, field, format, args...)
		}
		if o.Code == "" {
			bad("code", "missing")
			continue
		}
		e, ok := b.byCode[o.Code]
		if !ok {
			where := "this catalog"
			if b.extended {
				where += " or the default catalog it extends"
			}
			bad("code", "no quota with this code in %s", where)
			continue
		}
		if line, dup := firstAt[o.Code]; dup {
			bad("code", "a second override of the quota; the first is at line %d", line)
			continue
		}
		firstAt[o.Code] = fieldLine(node, "code")
		if e.broken {
			continue
		}
		if !e.q.Adjustable {
			bad("value", "the quota is not adjustable, so its default cannot be overridden")
			continue
		}
		if o.Value == nil {
			bad("value", "missing")
			continue
		}
		if o.Burst != nil && e.q.Kind != headroom.KindRate {
			bad("burst", "only rate quotas have a burst")
			continue
		}
		q := e.q
		q.Value = *o.Value
		if o.Burst != nil {
			q.Burst = *o.Burst
		}
		if e.valid && !b.check(node, &q, nil) {
			continue
		}
		e.q = q
	}
}

// operations reports every operation claimed by two rate quotas, and every
// API with two fallback ("api:*") rate quotas, against the later quota.
func (b *builder) operations() {
	byOp := map[string]*entry{}
	fallback := map[string]*entry{}
	for _, e := range b.list {
		if !e.valid {
			continue
		}
		for _, op := range e.q.Operations {
			bad := func(format string, args ...any) {
				b.addf(fieldLine(e.node, "operations"), e.q.Code, "operations", format, args...)
			}
			api, name, ok := strings.Cut(op, ":")
			switch {
			case !ok || api == "" || name == "":
				bad("%q must be api:Operation or api:*", op)
			case name == "*" && fallback[api] != nil:
				bad("api %s already has a fallback rate quota %s", api, fallback[api].q.Code)
			case name == "*":
				fallback[api] = e
			case byOp[op] != nil:
				bad("operation %s is already throttled by %s", op, byOp[op].q.Code)
			default:
				byOp[op] = e
			}
		}
	}
}

// cloneQuota copies a quota with its slices, map and metric, so that a
// catalog built from another shares nothing with it.
func cloneQuota(q headroom.Quota) headroom.Quota {
	q.Cohorts = append([]headroom.Cohort(nil), q.Cohorts...)
	q.Allow = append([]string(nil), q.Allow...)
	q.Deny = append([]string(nil), q.Deny...)
	q.Uncounted = append([]string(nil), q.Uncounted...)
	q.UnavailableTo = append([]string(nil), q.UnavailableTo...)
	q.Operations = append([]string(nil), q.Operations...)
	q.Invented = append([]headroom.Invented(nil), q.Invented...)
	if q.Metric != nil {
		m := *q.Metric
		if m.Dimensions != nil {
			m.Dimensions = make(map[string]string, len(m.Dimensions))
			for k, v := range q.Metric.Dimensions {
				m.Dimensions[k] = v
			}
		}
		q.Metric = &m
	}
	return q
}

// catalogProblem reports an error of headroom.NewCatalog against the quota
// and field it names.
func (b *builder) catalogProblem(err error) {
	code, field, msg := "", "", err.Error()
	if rest, ok := strings.CutPrefix(msg, "quota "); ok {
		code, _, _ = strings.Cut(rest, ": ")
	}
	var he *headroom.Error
	if errors.As(err, &he) {
		field, msg = he.Field, he.Message
	}
	var node *yaml.Node
	if e := b.byCode[code]; e != nil {
		node = e.node
	}
	b.addf(fieldLine(node, field), code, field, "%s", msg)
}
