package server

import (
	"context"
	"strconv"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/httpapi"
	"github.com/headroomhq/headroom/rls"
)

// startRLS starts the Envoy rate-limit service when Config.RLSAddr is set:
// it loads Config.RLSConfig (a bad file fails the start), watches it, and
// serves gRPC. Its counters join /metrics. Closing the server stops the
// gRPC server gracefully before the store closes.
func (m *Server) startRLS(api *httpapi.Server) error {
	if m.Config.RLSAddr == "" {
		return nil
	}
	svc, err := rls.NewService(rls.Options{Engine: m.engine, Headers: m.Config.RLSHeaders, Logger: m.log, OnApply: m.RLSOnApply})
	if err != nil {
		return err
	}
	if err := svc.Reload(m.Config.RLSConfig); err != nil {
		return headroom.FieldErrorf("rls_config", "%v", err)
	}
	w, err := rls.Watch(m.Config.RLSConfig, svc, m.log)
	if err != nil {
		return headroom.FieldErrorf("rls_config", "cannot watch %s: %v", m.Config.RLSConfig, err)
	}
	m.closers = append(m.closers, w.Close)
	if err := api.RegisterMetrics(svc.Metrics()); err != nil {
		return err
	}
	g, err := rls.ServeGRPC(m.Config.RLSAddr, svc)
	if err != nil {
		return headroom.Errorf(headroom.EUNAVAILABLE, "cannot listen on %s for the rate-limit service: %v (choose another with --rls-addr)", m.Config.RLSAddr, err)
	}
	m.closers = append(m.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		defer cancel()
		return g.Close(ctx)
	})
	m.rls, m.rlsServer = svc, g
	m.log.Info("rate-limit service listening", "addr", g.Addr().String(), "config", m.Config.RLSConfig, "headers", m.Config.RLSHeaders)
	return nil
}

// RLS returns the running Envoy rate-limit service, or nil when
// Config.RLSAddr is empty.
func (m *Server) RLS() *rls.Service { return m.rls }

// RLSAddr returns the address the rate-limit service listens on, once Run
// has returned; empty when it is off.
func (m *Server) RLSAddr() string {
	if m.rlsServer == nil {
		return ""
	}
	return m.rlsServer.Addr().String()
}

// rlsCheck is the rate-limit service's /readyz line.
func (m *Server) rlsCheck() (check, bool) {
	if m.rls == nil {
		return check{}, false
	}
	c := check{name: "rls", state: "ok (" + m.RLSAddr() + ", configuration version " + strconv.FormatUint(m.rls.Version(), 10) + ")"}
	if n := m.rls.Rejected(); n > 0 {
		c.state += ", " + strconv.FormatUint(n, 10) + " reloads refused"
	}
	return c, true
}
