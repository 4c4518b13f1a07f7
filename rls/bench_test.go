package rls

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	rlscommon "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// BenchmarkShouldRateLimit is one ShouldRateLimit of two descriptors over
// loopback, as Envoy sends it (gRPC over cleartext HTTP/2, the grpc-go
// client), against the grpc-go server Headroom runs and against a
// Connect-RPC handler on net/http serving the same Service; "inprocess"
// is the service alone. BENCHMARKS.md has the figures.
func BenchmarkShouldRateLimit(b *testing.B) {
	fx := newFixture(b, map[string]string{"edge.yaml": `
domain: edge
descriptors:
  - key: path
    rate_limit: {unit: second, requests_per_unit: 1000000000}
  - key: remote_address
    rate_limit: {unit: second, requests_per_unit: 1000000000}
`})
	req := &rlsv3.RateLimitRequest{Domain: "edge", Descriptors: []*rlscommon.RateLimitDescriptor{desc("path=/api/users"), desc("remote_address=10.1.2.3")}}
	check := func(b *testing.B, resp *rlsv3.RateLimitResponse, err error) {
		if err != nil || resp.OverallCode != rlsv3.RateLimitResponse_OK {
			b.Fatal(resp, err)
		}
	}
	ctx := context.Background()

	b.Run("inprocess", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := fx.svc.ShouldRateLimit(ctx, req)
			check(b, resp, err)
		}
	})

	b.Run("grpc-go", func(b *testing.B) {
		g, err := ServeGRPC("127.0.0.1:0", fx.svc)
		if err != nil {
			b.Fatal(err)
		}
		defer g.Close(ctx)
		benchClient(b, g.Addr().String(), req, check)
	})

	b.Run("connect", func(b *testing.B) {
		mux := http.NewServeMux()
		procedure := "/" + rlsv3.RateLimitService_ServiceDesc.ServiceName + "/ShouldRateLimit"
		mux.Handle(procedure, connect.NewUnaryHandlerSimple(procedure, fx.svc.ShouldRateLimit, connect.WithReadMaxBytes(MaxRecvMsgSize)))
		srv := &http.Server{Handler: mux, Protocols: new(http.Protocols)}
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetUnencryptedHTTP2(true)
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go srv.Serve(lis)
		defer srv.Close()
		benchClient(b, lis.Addr().String(), req, check)
	})
}

// benchClient calls ShouldRateLimit with the grpc-go client, Envoy's
// protocol, from as many goroutines as GOMAXPROCS.
func benchClient(b *testing.B, addr string, req *rlsv3.RateLimitRequest, check func(*testing.B, *rlsv3.RateLimitResponse, error)) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	client := rlsv3.NewRateLimitServiceClient(conn)
	ctx := context.Background()
	resp, err := client.ShouldRateLimit(ctx, req) // connect before timing
	check(b, resp, err)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.ShouldRateLimit(ctx, req)
			check(b, resp, err)
		}
	})
}

// BenchmarkShouldRateLimitUsers is the service alone (no gRPC) deciding
// requests of 1 and of 10 descriptors user=u<n> over 10,000 values, the
// load of bench/rls.sh: what Headroom adds per request beside a bare
// server.
func BenchmarkShouldRateLimitUsers(b *testing.B) {
	fx := newFixture(b, map[string]string{"bench.yaml": `
domain: bench
descriptors:
  - key: user
    rate_limit: {unit: second, requests_per_unit: 1000000}
`})
	ctx := context.Background()
	for _, n := range []int{1, 10} {
		reqs := make([]*rlsv3.RateLimitRequest, 1024)
		for i := range reqs {
			r := &rlsv3.RateLimitRequest{Domain: "bench"}
			for j := range n {
				r.Descriptors = append(r.Descriptors, desc(fmt.Sprintf("user=u%d", (i*n+j)*7919%10000)))
			}
			reqs[i] = r
		}
		b.Run(fmt.Sprintf("descriptors=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				resp, err := fx.svc.ShouldRateLimit(ctx, reqs[i%len(reqs)])
				if err != nil || resp.OverallCode != rlsv3.RateLimitResponse_OK {
					b.Fatal(resp, err)
				}
				i++
			}
		})
	}
}
