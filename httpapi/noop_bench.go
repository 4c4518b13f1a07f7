//go:build headroom_bench

package httpapi

import (
	"context"

	"github.com/headroomhq/headroom"
)

// NoopEnforce returns svc with enforcement (Do and Batch) answered allowed
// without deciding anything, to measure what the HTTP stack alone costs.
// It exists only in builds with the headroom_bench tag, so that a
// production binary cannot turn it on.
func NoopEnforce(svc headroom.Services) headroom.Services { return noopEnforce{svc} }

type noopEnforce struct{ headroom.Services }

func (noopEnforce) Do(_ context.Context, r headroom.Request) (headroom.Decision, error) {
	return headroom.Decision{Allowed: true, Code: r.Code, Scope: r.Scope, Counted: true}, nil
}

func (n noopEnforce) Batch(ctx context.Context, reqs []headroom.Request) []headroom.Result {
	out := make([]headroom.Result, len(reqs))
	for i, r := range reqs {
		out[i].Decision, _ = n.Do(ctx, r)
	}
	return out
}
