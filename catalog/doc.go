// Package catalog loads Headroom's quota catalogs from YAML files and holds
// the embedded default catalog, Amazon Connect's published quotas.
//
// A catalog file names its format version, may extend the default catalog,
// defines quotas and overrides the defaults of existing ones:
//
//	version: 1
//	extends: default
//	quotas:
//	  - code: HR-EXAMPLE-WIDGETS
//	    service: example
//	    name: Widgets per instance
//	    kind: count
//	    scope: instance
//	    unit: Count
//	    value: 20
//	    adjustable: true
//	overrides:
//	  - code: L-9A46857E
//	    value: 1000
//
// docs/catalog.md describes every field and rule. Parse and Load report every
// problem of a file at once, each with its file, line, quota code and field,
// in a *ValidationError.
package catalog
