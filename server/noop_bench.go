//go:build headroom_bench

package server

import (
	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// nativeServices returns what the native API runs on: with noop, the
// engine with enforcement answered allowed without deciding, the load
// benchmark's ceiling. Only builds tagged headroom_bench have it.
func nativeServices(svc headroom.Services, noop bool) (headroom.Services, error) {
	if noop {
		return httpapi.NoopEnforce(svc), nil
	}
	return svc, nil
}
