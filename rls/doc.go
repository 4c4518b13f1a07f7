// Package rls makes Headroom a drop-in for envoyproxy/ratelimit, Envoy's
// external rate-limit service: it serves Envoy's rls.proto v3
// (ShouldRateLimit) over gRPC, with the grpc.health.v1 health service,
// from ratelimit's own configuration files.
//
// Configuration (config.go): one YAML file per domain in a directory, in
// ratelimit's format (domain; descriptors with key, value, rate_limit
// {unit, requests_per_unit, name, unlimited, replaces}, shadow_mode,
// detailed_metric and nested descriptors), strict as ratelimit is: an
// unknown field or a duplicate descriptor is an error naming the file,
// line and field. One extension, account_key at the top of a file, names
// the descriptor key whose value is the Headroom account of a request.
//
// Matching (match.go) follows ratelimit's documented rules. Each rule with
// a limit becomes a Headroom rate quota (service "rls", code from QuotaCode)
// held as one of the engine's extra quotas: a token bucket of
// requests_per_unit tokens refilled at requests_per_unit per unit, one
// bucket per distinct set of descriptor values, decided by the engine's own
// limiter (in process, or Redis for several nodes), all of a request's
// descriptors in one batch. With account_key, overrides and approved
// increase requests of that account move its edge limits.
//
// Answers (service.go) carry per-descriptor statuses with the current
// limit, the requests remaining and the time until the bucket is full
// again, and optionally x-ratelimit-* headers. Statistics (metrics.go)
// are ratelimit's, as Prometheus counters. A watcher (reload.go) reloads
// every file when the directory changes; a bad file is refused and the
// previous configuration stays in force. The gRPC server is grpc.go.
package rls
