package headroom

// SourceHeadroom marks a default that Headroom chose itself, where the seed
// (the published Amazon Connect quotas) gives none.
const SourceHeadroom = "headroom"

// Invented is one part of a quota's default that does not come from the
// seed: which field, its value, and why Headroom chose it. The catalog
// states it as an `invented` entry, and `quotas get` and docs/catalog.md
// show it beside the value with source "headroom".
type Invented struct {
	// Field names what was chosen: "allow", "burst", "lease-ttl".
	Field string
	// Value is the chosen value as text, such as "+1 +44" or "24h".
	Value string
	// Note says why.
	Note string
}
