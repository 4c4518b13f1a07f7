// Command rlsok is the ceiling of the Envoy rate-limit stack: a bare grpc-go
// server whose ShouldRateLimit answers OK, with one OK status per
// descriptor, to every request without deciding anything. It uses the
// server options Headroom's RLS server uses (message size and keepalive
// limits, no interceptors; the values of rls/grpc.go, to keep in step), so
// that the difference between the two is the work of deciding.
//
//	rlsok -addr 127.0.0.1:8091
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

type okServer struct {
	rlsv3.UnimplementedRateLimitServiceServer
}

func (okServer) ShouldRateLimit(_ context.Context, req *rlsv3.RateLimitRequest) (*rlsv3.RateLimitResponse, error) {
	statuses := make([]*rlsv3.RateLimitResponse_DescriptorStatus, len(req.Descriptors))
	for i := range statuses {
		statuses[i] = &rlsv3.RateLimitResponse_DescriptorStatus{Code: rlsv3.RateLimitResponse_OK}
	}
	return &rlsv3.RateLimitResponse{OverallCode: rlsv3.RateLimitResponse_OK, Statuses: statuses}, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8091", "listen address, HOST:PORT")
	flag.Parse()
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rlsok:", err)
		os.Exit(1)
	}
	srv := grpc.NewServer(
		grpc.MaxRecvMsgSize(1<<20),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 2 * time.Minute, Timeout: 20 * time.Second,
			MaxConnectionAge: 30 * time.Minute, MaxConnectionAgeGrace: 30 * time.Second}),
	)
	rlsv3.RegisterRateLimitServiceServer(srv, okServer{})
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, "rlsok:", err)
		os.Exit(1)
	}
}
