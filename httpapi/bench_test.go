package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
)

// noopEnforce answers enforcement allowed without deciding, as the
// headroom_bench build's httpapi.NoopEnforce does, so that the benchmark
// measures the HTTP stack alone.
type noopEnforce struct{ headroom.Services }

func (noopEnforce) Do(_ context.Context, r headroom.Request) (headroom.Decision, error) {
	return headroom.Decision{Allowed: true, Code: r.Code, Scope: r.Scope, Counted: true}, nil
}

// BenchmarkEnforceHandler runs POST /v1/enforce through the handler in
// process (no sockets): the real engine beside a no-op one, for single
// items and batches of 10, over 10,000 rate keys. The ratio between the two
// is what the engine costs on top of decoding, auth and encoding.
func BenchmarkEnforceHandler(b *testing.B) {
	for _, noop := range []bool{false, true} {
		for _, batch := range []int{1, 10} {
			name := fmt.Sprintf("real/batch=%d", batch)
			if noop {
				name = fmt.Sprintf("noop/batch=%d", batch)
			}
			b.Run(name, func(b *testing.B) {
				e := newEnv(b, func(c *httpapi.Config) {
					if noop {
						c.Engine = noopEnforce{c.Engine}
					}
				})
				v := 1e9
				if _, err := e.client.SetOverride(context.Background(), acct, "HR-PARTICIPANT-SEND-MESSAGE-RATE", httpapi.OverrideSet{Value: &v}); err != nil {
					b.Fatal(err)
				}
				h := e.srv.Config.Handler
				bodies := make([][]byte, 1000)
				k := 0
				for i := range bodies {
					var buf bytes.Buffer
					buf.WriteString(`{"items":[`)
					for j := 0; j < batch; j++ {
						if j > 0 {
							buf.WriteByte(',')
						}
						buf.WriteString(`{"op":"take","account":"` + acct + `","code":"HR-PARTICIPANT-SEND-MESSAGE-RATE","scope":"instance/i-` + strconv.Itoa(k%10000) + `","amount":1}`)
						k += 7
					}
					buf.WriteString(`]}`)
					bodies[i] = buf.Bytes()
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					req := httptest.NewRequest("POST", "/v1/enforce", bytes.NewReader(bodies[i%len(bodies)]))
					req.Header.Set("Authorization", "Bearer "+adminToken)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
					}
					i++
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "decisions/s")
			})
		}
	}
}
