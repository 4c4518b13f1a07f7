package catalog

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoded is a catalog file decoded into the typed structs of format.go and
// into its node tree, which gives line numbers.
type decoded struct {
	file *fileYAML
	tree tree
	// broken marks the entries of "quotas" and "overrides", by index, that
	// had decoding problems; they are already reported and checked no
	// further.
	broken map[string]map[int]bool
}

// decode reads data. It records every problem it finds in ps and returns ok
// false if the file cannot be checked further: a problem outside the quota and
// override entries, such as a syntax error, stops it; problems inside entries
// only mark those entries broken.
func decode(ps *problems, data []byte) (d decoded, ok bool) {
	var doc yaml.Node
	nodes := yaml.NewDecoder(bytes.NewReader(data))
	if err := nodes.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			ps.addf(0, "", "", "the catalog is empty; it needs at least \"version: %d\"", supportedVersion)
		} else {
			yamlProblems(ps, d, err)
		}
		return d, false
	}
	var extra yaml.Node
	if err := nodes.Decode(&extra); err == nil {
		ps.addf(extra.Line, "", "", "a catalog file holds one YAML document, and this is a second one")
		return d, false
	} else if !errors.Is(err, io.EOF) {
		yamlProblems(ps, d, err)
		return d, false
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = resolve(doc.Content[0])
	}
	if root == nil || root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		ps.addf(0, "", "", "the catalog is empty; it needs at least \"version: %d\"", supportedVersion)
		return d, false
	}
	if root.Kind == yaml.MappingNode {
		d.tree.root = root
	}

	d.file = new(fileYAML)
	d.broken = map[string]map[int]bool{}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(d.file); err != nil {
		return d, yamlProblems(ps, d, err) && d.tree.aligned()
	}
	return d, true
}

// yamlProblems turns a YAML decoding error into problems: one for a syntax
// error, one per entry of a *yaml.TypeError, each with the quota code and
// field found on its line. It marks the entries concerned broken, and reports
// whether every problem lies inside a field of an entry.
func yamlProblems(ps *problems, d decoded, err error) (inEntries bool) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
		ps.addf(line, "", "", "%s", msg)
		return false
	}
	inEntries = true
	for _, entry := range te.Errors {
		line, msg := splitLine(entry)
		loc := d.tree.locate(line)
		field := loc.field
		if name, typ, ok := unknownField(msg); ok {
			if field != name && !strings.HasSuffix(field, "."+name) {
				field = name
			}
			msg = "unknown field"
			if known := knownFields[typ]; known != "" {
				msg += " (want one of " + known + ")"
			}
		} else if i := strings.LastIndex(msg, " into "); strings.HasPrefix(msg, "cannot unmarshal ") && i > 0 {
			what, typ := msg[len("cannot unmarshal "):i], msg[i+len(" into "):]
			if want, ok := typeNames[typ]; ok {
				typ = want
			}
			msg = "got " + what + ", want " + typ
		} else {
			msg = strings.TrimPrefix(msg, "mapping ")
		}
		ps.addf(line, loc.code, field, "%s", msg)
		if loc.section == "" || loc.field == "" || d.broken == nil {
			inEntries = false
			continue
		}
		if d.broken[loc.section] == nil {
			d.broken[loc.section] = map[int]bool{}
		}
		d.broken[loc.section][loc.index] = true
	}
	return inEntries
}

// splitLine splits "line 12: message" into 12 and "message"; line is 0 when
// the message has no line.
func splitLine(s string) (int, string) {
	rest, ok := strings.CutPrefix(s, "line ")
	if !ok {
		return 0, s
	}
	num, msg, ok := strings.Cut(rest, ": ")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 0 {
		return 0, s
	}
	return n, msg
}

// unknownField parses yaml's "field X not found in type T".
func unknownField(msg string) (name, typ string, ok bool) {
	rest, ok := strings.CutPrefix(msg, "field ")
	if !ok {
		return "", "", false
	}
	name, typ, ok = strings.Cut(rest, " not found in type ")
	return name, typ, ok
}

// typeNames describes the Go types of format.go in the file's terms.
var typeNames = map[string]string{
	"float64":                  "a number",
	"int":                      "a whole number",
	"bool":                     "true or false",
	"string":                   "a string",
	"[]string":                 "a list of strings",
	"map[string]string":        "a mapping of names to strings",
	typeName(fileYAML{}):       "a mapping with version, extends, quotas and overrides",
	typeName(quotaYAML{}):      "a mapping (a quota)",
	typeName([]quotaYAML{}):    "a list of quotas",
	typeName(cohortYAML{}):     "a mapping (a cohort)",
	typeName([]cohortYAML{}):   "a list of cohorts",
	typeName(metricYAML{}):     "a mapping (a metric)",
	typeName(overrideYAML{}):   "a mapping (an override)",
	typeName([]overrideYAML{}): "a list of overrides",
}

// knownFields lists the fields each mapping of the format accepts.
var knownFields = map[string]string{
	typeName(fileYAML{}):     yamlFields(fileYAML{}),
	typeName(quotaYAML{}):    yamlFields(quotaYAML{}),
	typeName(cohortYAML{}):   yamlFields(cohortYAML{}),
	typeName(metricYAML{}):   yamlFields(metricYAML{}),
	typeName(overrideYAML{}): yamlFields(overrideYAML{}),
}

func typeName(v any) string { return reflect.TypeOf(v).String() }

// yamlFields lists the yaml tags of a struct, comma-separated.
func yamlFields(v any) string {
	t := reflect.TypeOf(v)
	names := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}
