package rls

import (
	"context"
	"net"
	"time"

	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
)

// The gRPC server's limits.
const (
	// MaxRecvMsgSize bounds a request: a RateLimitRequest is a few
	// descriptors of short strings.
	MaxRecvMsgSize = 1 << 20
	// KeepaliveMinTime is how often a client may ping; faster pings are a
	// protocol violation and close the connection.
	KeepaliveMinTime = 10 * time.Second
	// KeepaliveTime and KeepaliveTimeout: the server pings an idle
	// connection after KeepaliveTime and drops it when the ping is not
	// answered within KeepaliveTimeout.
	KeepaliveTime    = 2 * time.Minute
	KeepaliveTimeout = 20 * time.Second
	// MaxConnectionAge closes connections after a while (with a grace
	// period for calls in flight), so that Envoy re-resolves and spreads
	// over new nodes, as ratelimit's GRPC_MAX_CONNECTION_AGE advises.
	MaxConnectionAge      = 30 * time.Minute
	MaxConnectionAgeGrace = 30 * time.Second
)

// GRPCServer serves a Service's ShouldRateLimit and the grpc.health.v1
// health service on one listener. Health reports SERVING, for the empty
// service name and for envoy.service.ratelimit.v3.RateLimitService, until
// Close. Close is safe to call once, from any goroutine.
type GRPCServer struct {
	srv    *grpc.Server
	health *health.Server
	lis    net.Listener
	served chan error
}

// ServeGRPC listens on addr (HOST:PORT; port 0 picks one) and serves svc.
// Errors: the address cannot be listened on.
func ServeGRPC(addr string, svc *Service) (*GRPCServer, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	g := &GRPCServer{lis: lis, served: make(chan error, 1), health: health.NewServer()}
	g.srv = grpc.NewServer(
		grpc.MaxRecvMsgSize(MaxRecvMsgSize),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: KeepaliveMinTime, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: KeepaliveTime, Timeout: KeepaliveTimeout,
			MaxConnectionAge: MaxConnectionAge, MaxConnectionAgeGrace: MaxConnectionAgeGrace}),
	)
	rlsv3.RegisterRateLimitServiceServer(g.srv, svc)
	healthpb.RegisterHealthServer(g.srv, g.health)
	g.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	g.health.SetServingStatus(rlsv3.RateLimitService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	go func() { g.served <- g.srv.Serve(lis) }()
	return g, nil
}

// Addr returns the address the server listens on.
func (g *GRPCServer) Addr() net.Addr { return g.lis.Addr() }

// Close reports NOT_SERVING, stops accepting calls and lets those in
// flight finish; when ctx ends first, it cuts them. It returns the serve
// loop's error, if any.
func (g *GRPCServer) Close(ctx context.Context) error {
	g.health.Shutdown()
	stopped := make(chan struct{})
	go func() { g.srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		g.srv.Stop()
		<-stopped
	}
	if err := <-g.served; err != nil && err != grpc.ErrServerStopped {
		return err
	}
	return nil
}
