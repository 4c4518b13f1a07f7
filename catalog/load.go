package catalog

import (
	"fmt"
	"os"

	"github.com/headroomhq/headroom"
)

// Parse reads a catalog file from data and returns the catalog it defines.
// name is the file's name as it should appear in error messages.
//
// A file with "extends: default" starts from the embedded default catalog
// (see Default): its quotas are added to the default ones, and its overrides
// may change the defaults of either.
//
// Parse returns a *ValidationError listing every problem it finds: YAML
// syntax, unknown fields, a missing or unsupported version, and each
// definition or override that breaks a rule of docs/catalog.md. Each problem
// names the file, the line, the quota code and the field, and is also a
// *headroom.Error of code EINVALID. Parse is safe for concurrent use.
func Parse(name string, data []byte) (*headroom.Catalog, error) {
	return parse(name, data, true)
}

// Load reads the catalog file at path, as Parse does, naming it by path in
// error messages. A file that cannot be read yields the *fs.PathError of
// os.ReadFile, wrapped; one that can be read but not used, a
// *ValidationError. Load is safe for concurrent use.
func Load(path string) (*headroom.Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return Parse(path, data)
}

// parse decodes, validates and indexes a catalog file. mayExtend is false for
// the embedded default catalog, which cannot extend itself.
func parse(name string, data []byte, mayExtend bool) (*headroom.Catalog, error) {
	ps := &problems{file: name}
	d, ok := decode(ps, data)
	if !ok {
		return nil, ps.err()
	}
	b := &builder{problems: ps, tree: d.tree, broken: d.broken}
	b.header(d.file, mayExtend)
	b.quotas(d.file.Quotas)
	b.overrides(d.file.Overrides)
	b.operations()
	if err := ps.err(); err != nil {
		return nil, err
	}
	quotas := make([]headroom.Quota, len(b.list))
	for i, e := range b.list {
		quotas[i] = e.q
	}
	c, err := headroom.NewCatalog(quotas)
	if err != nil {
		// The builder checks every rule NewCatalog checks; this is one it
		// does not know yet. NewCatalog names the quota as "quota CODE: ".
		b.catalogProblem(err)
		return nil, ps.err()
	}
	return c, nil
}
