// Package redis is a headroom.Limiter whose token buckets live in Redis, so
// that every node of an installation shares them.
//
// Each bucket is one Redis string, its theoretical arrival time (TAT) in
// unix nanoseconds, and a decision is one call of one Lua script doing the
// generic cell rate algorithm exactly as headroom.DecideRate does: the
// Redis limiter and memory.Limiter make the same decisions and report the
// same Remaining and RetryAfter, so either may stand in for the other. The
// script reads the time from Redis (TIME), so the nodes' own clocks do not
// matter; a bucket's key expires once the bucket would be full again.
//
// A batch of takes (TakeBatch) is one script call, one round trip; takes
// from many goroutines are pipelined onto shared connections by rueidis.
// A single Redis server is assumed: a batch touches keys of many buckets in
// one call, which Redis Cluster allows only for keys of one hash slot (the
// keys would need a common hash tag, putting every bucket on one shard).
//
// While Redis is unreachable, the limiter decides by its FailPolicy without
// waiting on Redis (FailLocal, the default: each node enforces its share of
// each bucket in memory; FailOpen; FailClosed), and a probe switches it back
// within a second of Redis answering again. Changes of mode are logged and
// counted; see Limiter.Mode and Limiter.Collector.
package redis
