// Package httpapi is Headroom's native HTTP/JSON API: batch enforcement with
// per-item results, quota and usage reads, and the operator's calls for
// accounts, keys, overrides, usage reconcile and tokens. It holds the server
// and a Go client that speak the same wire types.
//
// Every error is JSON {"code": ..., "message": ...} with the HTTP status the
// package's one table (statusByCode) gives its code. Requests authenticate with a bearer token: the
// operator token may do everything; a service token may enforce and read for
// the accounts it is bound to.
package httpapi
