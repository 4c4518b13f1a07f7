// Package connectapi serves a subset of the Amazon Connect API (rest-json,
// SigV4 signing name "connect") with the quotas of Headroom's catalog
// enforced on the way: the official AWS SDKs pointed at Headroom create
// instances, users, queues and the other per-instance resources, and are
// refused, throttled and told the quota exactly as the seed says Amazon
// Connect does.
//
// Every operation first takes a token from its own bucket in the account (2/s
// with burst 5, or 5/s with burst 8 for the metric operations), shared by
// all of the account's instances and access keys. Resources are stored with
// the engine's CreateResource in the same store transaction as the reserve of their
// quota slot, so a failed create never holds a slot and a delete frees it.
//
// A claimed phone number is also a claim record keyed by the number itself,
// under an account id no real account can have, so that the store lets
// one instance of one account hold a number at a time (see numbers.go);
// tags on Connect ARNs are the engine's tags, keyed by the ARN.
package connectapi
