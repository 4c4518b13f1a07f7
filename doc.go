// Package headroom is a service-quota engine: it enforces, manages and
// reports the quotas a multi-tenant platform puts on its tenants.
//
// The root package holds the domain and nothing else: quotas and their kinds
// (count, concurrency, rate, cumulative, size, duration, set), scopes,
// accounts, overrides, decisions, the one application error type with its
// table of codes, and the interfaces the backends implement (Store, Limiter,
// Clock). The Engine ties them together: for an account it resolves each
// quota's applied value (resource override, account override, cohort
// default, catalog default) and decides requests.
//
// Subpackages implement the interfaces for one technology each: memory (in
// process), catalog (the catalog file format and the embedded Amazon Connect
// catalog), clock (system, coarse and manual clocks). internal/storetest is
// the contract suite every Store and Limiter passes.
//
// Every check-and-change of usage happens atomically inside the Store, and
// every token computation inside the Limiter, so no number of racing callers
// can be admitted beyond an applied value.
package headroom
