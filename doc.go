// Package headroom is a service-quota engine: it enforces, manages and
// reports the quotas a multi-tenant platform puts on its tenants.
//
// The root package holds the domain and imports only the standard library:
// quotas and their kinds (one file each: kind_count.go, kind_rate.go, ...),
// scopes, accounts, overrides, decisions, resources of emulated APIs, the one
// application error type with its codes, the domain services transports use
// (Services: quotas, accounts, requests, resources, audit), and the
// interfaces backends implement: the storage roles (UsageStore,
// AccountStore, WorkflowStore, ResourceStore, AuditStore; Store is all
// five), Limiter and Clock. The Engine implements the services: for an
// account it resolves each quota's applied value (resource override, account
// override, cohort default, catalog default) and decides requests.
//
// Every rule about shared state, a limit, an idempotency key, a version, a
// resource's slots and uses, is checked and applied inside one atomic Store
// operation, and every token computation inside the Limiter, never under a
// lock in a process: so no number of racing callers, on one node or many, is
// admitted beyond an applied value.
//
// Subpackages implement the interfaces for one technology each (memory,
// sqlite), speak one protocol over the services (httpapi, awsapi,
// connectapi), or hold the catalog (catalog) and clocks (clock). The server
// package builds everything from a configuration; internal/storetest is the
// contract suite every Store and Limiter passes.
package headroom
