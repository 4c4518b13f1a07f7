package catalog

import (
	"errors"
	"testing"

	"github.com/headroomhq/headroom"
)

// FuzzParse feeds Parse arbitrary input: it must never panic, and it must
// return either a catalog or a *ValidationError whose problems are
// *headroom.Errors of code EINVALID.
func FuzzParse(f *testing.F) {
	f.Add(connectYAML)
	for _, seed := range []string{
		"",
		"version: 1\n",
		"version: 1\nextends: default\n",
		"version: 1\nextends: default\noverrides:\n  - code: L-9A46857E\n    value: 1000\n  - code: L-52794498\n    value: 6\n    burst: 9\n",
		"version: 1\nquotas:\n  - code: HR-A\n    service: test\n    name: A\n    kind: rate\n    scope: instance\n    unit: Count/Second\n    value: 2\n    burst: 1\n",
		"version: 1\nquotas:\n  - {code: HR-S, service: t, name: S, kind: set, scope: account, unit: None, match: dial-prefix, allow: [\"+1\"], deny: [\"+1900\"]}\n",
		"version: 1\nquotas:\n  - &q {code: HR-A, service: t, name: A, kind: count, scope: instance, unit: Count, value: 1, adjustable: true,\n       cohorts: [{created_from: 2019-01-01, value: .nan}]}\n  - *q\n",
		"version: 1\nquotas:\n  - code: HR-A\n    <<: {service: t}\n    value: x\n  - 7\noverrides: [{code: HR-A, value: -1}]\n",
		"version: 1\nquotas: [\n",
		"- a\n- b\n",
		"version: 1\n---\nversion: 1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err == nil {
			if c == nil {
				t.Fatal("no catalog and no error")
			}
			return
		}
		if c != nil {
			t.Fatal("a catalog and an error")
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("error %T without problems: %v", err, err)
		}
		for _, p := range ve.Problems {
			if p.File != "fuzz.yaml" || p.Line < 0 || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
		var he *headroom.Error
		if !errors.As(err, &he) || he.Code != headroom.EINVALID {
			t.Fatalf("not an EINVALID *headroom.Error: %v", err)
		}
		_ = err.Error()
	})
}
