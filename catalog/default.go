package catalog

import (
	_ "embed"
	"sync"

	"github.com/headroomhq/headroom"
)

// connectYAML is the default catalog: Amazon Connect's published quotas.
//
//go:embed connect.yaml
var connectYAML []byte

// The default catalog, parsed once by Default. (A sync.OnceValues variable
// would form an initialization cycle: parsing a file that extends the
// default calls Default.)
var (
	defaultOnce    sync.Once
	defaultCatalog *headroom.Catalog
	defaultErr     error
)

// Default returns the embedded default catalog, Amazon Connect's published
// quotas and feature specifications (catalog/connect.yaml, described in
// docs/catalog.md). It is parsed on the first call; every call returns the
// same *headroom.Catalog, which is immutable and safe for concurrent use, and
// so is Default itself. The error, a *ValidationError, is only possible if
// the embedded file is broken, which the package's tests rule out.
func Default() (*headroom.Catalog, error) {
	defaultOnce.Do(func() {
		defaultCatalog, defaultErr = parse("connect.yaml", connectYAML, false)
	})
	return defaultCatalog, defaultErr
}
