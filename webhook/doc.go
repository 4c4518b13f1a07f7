// Package webhook delivers alarm notifications to the webhooks operators
// set: it drains the store's durable outbox through the headroom
// AlarmService, posts each notification as signed JSON, retries with
// exponential backoff on an injected clock, and gives up after a
// configurable time. Delivery is at least once: a receiver drops repeats by
// the X-Headroom-Delivery id, which is the same on every attempt.
//
// Each POST carries:
//
//	Content-Type: application/json
//	X-Headroom-Delivery: <idempotency id>
//	X-Headroom-Timestamp: <unix seconds of the attempt>
//	X-Headroom-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver checks the signature with Verify, and should refuse a
// timestamp far from its own clock, so that a recorded request cannot be
// replayed later.
package webhook
