package rls

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/headroomhq/headroom"
)

// Engine is what the service needs of Headroom's engine: its batch
// decisions and its extra quotas. *headroom.Engine implements it.
type Engine interface {
	Batch(ctx context.Context, reqs []headroom.Request) []headroom.Result
	SetExtraQuotas(quotas []headroom.Quota) error
}

// ServiceName is the Headroom service code of the rules' quotas.
const ServiceName = "rls"

// The response headers that Options.Headers adds.
const (
	HeaderLimit     = "x-ratelimit-limit"
	HeaderRemaining = "x-ratelimit-remaining"
	HeaderReset     = "x-ratelimit-reset"
)

// Options configures a Service.
type Options struct {
	// Engine decides; required.
	Engine Engine
	// Headers adds x-ratelimit-limit, -remaining and -reset to every
	// answer for a descriptor with a limit.
	Headers bool
	// Logger receives reload messages; slog.Default() if nil.
	Logger *slog.Logger
	// Metrics receives the counters; NewMetrics() if nil.
	Metrics *Metrics
	// OnApply, if set, is called after each configuration is adopted or
	// refused (err set), with the version then in force. Tests use it to
	// wait for a reload.
	OnApply func(version uint64, err error)
}

// Service answers Envoy's ShouldRateLimit from the configuration in force.
// It is safe for concurrent use: a reload swaps the configuration through
// an atomic pointer, and a request decides on the one it loaded first.
type Service struct {
	rlsv3.UnimplementedRateLimitServiceServer

	engine  Engine
	headers bool
	log     *slog.Logger
	metrics *Metrics
	onApply func(uint64, error)

	cfg      atomic.Pointer[Config]
	version  atomic.Uint64
	rejected atomic.Uint64
	applyMu  sync.Mutex
}

// NewService returns a service with an empty configuration (every
// descriptor OK) until Apply. Errors: Engine missing.
func NewService(o Options) (*Service, error) {
	if o.Engine == nil {
		return nil, headroom.FieldErrorf("Engine", "is required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	s := &Service{engine: o.Engine, headers: o.Headers, log: o.Logger, metrics: o.Metrics, onApply: o.OnApply}
	s.cfg.Store(&Config{Domains: map[string]*Domain{}})
	return s, nil
}

// Metrics returns the service's counters, a prometheus.Collector.
func (s *Service) Metrics() *Metrics { return s.metrics }

// Config returns the configuration in force.
func (s *Service) Config() *Config { return s.cfg.Load() }

// Version counts the configurations adopted, the first being 1.
func (s *Service) Version() uint64 { return s.version.Load() }

// Rejected counts the configurations refused.
func (s *Service) Rejected() uint64 { return s.rejected.Load() }

// Apply adopts cfg: its rules become the engine's extra quotas and its
// descriptor trees answer the next requests. While it swaps, the quotas
// of both configurations exist, so no request in flight finds its quota
// gone. If the engine refuses the quotas, the previous configuration stays
// in force and the error says why. Apply calls are serialized; a
// configuration may be applied again, but only to one Service.
func (s *Service) Apply(cfg *Config) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	err := s.apply(cfg)
	if err != nil {
		s.rejected.Add(1)
	}
	if s.onApply != nil {
		s.onApply(s.version.Load(), err)
	}
	return err
}

func (s *Service) apply(cfg *Config) error {
	rules := cfg.Rules()
	next := make([]headroom.Quota, 0, len(rules))
	codes := map[string]bool{}
	for _, r := range rules {
		if r.metrics == nil {
			// Set once, before the rule is first published: a
			// configuration applied again is read concurrently.
			r.metrics = s.metrics.series(r.Domain, r.StatKey)
		}
		if r.Unlimited || r.RequestsPerUnit == 0 || codes[r.Code] {
			continue
		}
		codes[r.Code] = true
		next = append(next, ruleQuota(r))
	}
	both := append([]headroom.Quota(nil), next...)
	for _, r := range s.cfg.Load().Rules() {
		if !r.Unlimited && r.RequestsPerUnit > 0 && !codes[r.Code] {
			codes[r.Code] = true
			both = append(both, ruleQuota(r))
		}
	}
	if err := s.engine.SetExtraQuotas(both); err != nil {
		return fmt.Errorf("rls: the engine refused the rules' quotas: %w", err)
	}
	s.cfg.Store(cfg)
	s.version.Add(1)
	if err := s.engine.SetExtraQuotas(next); err != nil {
		return fmt.Errorf("rls: the engine refused the rules' quotas: %w", err)
	}
	return nil
}

// ruleQuota is a rule as a Headroom rate quota: a bucket of
// requests_per_unit tokens refilled at requests_per_unit per unit.
func ruleQuota(r *Rule) headroom.Quota {
	rpu := float64(r.RequestsPerUnit)
	name := r.Name
	if name == "" {
		name = r.StatKey
	}
	return headroom.Quota{Code: r.Code, Service: ServiceName, Name: r.Domain + ": " + name,
		Description: fmt.Sprintf("Envoy rate limit %s in domain %s: %d per %s (%s:%d)", r.StatKey, r.Domain, r.RequestsPerUnit, r.Unit, r.File, r.Line),
		Kind:        headroom.KindRate, Scope: headroom.ScopeDescriptor, Unit: headroom.UnitPerSecond,
		Value: rpu / r.Unit.Seconds(), Burst: rpu, Adjustable: true}
}

// maxHits bounds one descriptor's hits, far above any burst.
const maxHits = 1 << 40

// pending is one descriptor's decision in the making.
type pending struct {
	rule    *Rule
	statKey string
	entries []Entry
	account string
	hits    int64
	take    int // index in the batch, or -1
}

// ShouldRateLimit implements Envoy's rate-limit service (rls.proto v3). An
// empty domain or descriptor list is InvalidArgument, as in
// envoyproxy/ratelimit; an engine failure (a store or limiter that cannot
// be reached) is Unavailable, so that Envoy's failure_mode_deny decides.
// Every other answer is a RateLimitResponse with one status per descriptor.
func (s *Service) ShouldRateLimit(ctx context.Context, req *rlsv3.RateLimitRequest) (*rlsv3.RateLimitResponse, error) {
	if req.GetDomain() == "" {
		return nil, status.Error(codes.InvalidArgument, "rate limit domain must not be empty")
	}
	descs := req.GetDescriptors()
	if len(descs) == 0 {
		return nil, status.Error(codes.InvalidArgument, "rate limit descriptor list must not be empty")
	}
	// The statuses, their limits and their durations are each made in
	// one allocation for the whole request, not one per descriptor.
	resp := &rlsv3.RateLimitResponse{OverallCode: rlsv3.RateLimitResponse_OK,
		Statuses: make([]*rlsv3.RateLimitResponse_DescriptorStatus, len(descs))}
	sts := make([]rlsv3.RateLimitResponse_DescriptorStatus, len(descs))
	for i := range resp.Statuses {
		sts[i].Code = rlsv3.RateLimitResponse_OK
		resp.Statuses[i] = &sts[i]
	}
	d := s.cfg.Load().Domains[req.GetDomain()]
	if d == nil {
		return resp, nil
	}
	ps := make([]pending, len(descs))
	n := 0
	for _, desc := range descs {
		n += len(desc.GetEntries())
	}
	all := make([]Entry, n)
	for i, desc := range descs {
		p := &ps[i]
		p.take = -1
		p.entries, all = all[:len(desc.GetEntries()):len(desc.GetEntries())], all[len(desc.GetEntries()):]
		for j, e := range desc.GetEntries() {
			p.entries[j] = Entry{Key: e.GetKey(), Value: e.GetValue()}
			if d.AccountKey != "" && e.GetKey() == d.AccountKey && p.account == "" {
				p.account = e.GetValue()
			}
		}
		p.rule, p.statKey = d.Match(p.entries)
		p.hits = int64(max(req.GetHitsAddend(), 1))
		if h := desc.GetHitsAddend(); h != nil {
			p.hits = int64(min(h.GetValue(), maxHits))
		}
	}
	dropReplaced(ps)
	reqs := make([]headroom.Request, 0, len(ps))
	for i := range ps {
		p := &ps[i]
		if p.rule == nil || p.rule.Unlimited || p.rule.RequestsPerUnit == 0 || p.hits == 0 {
			continue
		}
		p.take = len(reqs)
		reqs = append(reqs, headroom.Request{Op: headroom.OpTake, Account: p.account, Code: p.rule.Code,
			Scope: BucketScope(p.entries), Amount: p.hits})
	}
	results := s.decide(ctx, reqs)
	limits := make([]rlsv3.RateLimitResponse_RateLimit, len(ps))
	durations := make([]durationpb.Duration, len(ps))
	for i := range ps {
		p := &ps[i]
		if p.rule == nil {
			continue
		}
		var res *headroom.Result
		if p.take >= 0 {
			res = &results[p.take]
		}
		st := resp.Statuses[i]
		if err := s.status(st, &limits[i], &durations[i], p, res); err != nil {
			return nil, err
		}
		if st.Code == rlsv3.RateLimitResponse_OVER_LIMIT {
			resp.OverallCode = rlsv3.RateLimitResponse_OVER_LIMIT
		}
	}
	if s.headers {
		resp.ResponseHeadersToAdd = headers(resp.Statuses)
	}
	return resp, nil
}

// dropReplaced applies replaces: when several descriptors of one request
// match, a rule whose name another matched rule replaces is not evaluated
// (envoyproxy/ratelimit, "Replaces" and example 7).
func dropReplaced(ps []pending) {
	var names map[string]bool
	for i := range ps {
		if ps[i].rule != nil {
			for _, n := range ps[i].rule.Replaces {
				if names == nil {
					names = map[string]bool{}
				}
				names[n] = true
			}
		}
	}
	if names == nil {
		return
	}
	for i := range ps {
		r := ps[i].rule
		if r == nil || r.Name == "" || !names[r.Name] {
			continue
		}
		// Replaced only by another rule: a rule naming itself is not.
		for j := range ps {
			if j != i && ps[j].rule != nil && ps[j].rule != r && containsName(ps[j].rule.Replaces, r.Name) {
				ps[i].rule = nil
				break
			}
		}
	}
}

func containsName(list []string, n string) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// decide runs the takes in one batch. A take whose account Headroom does
// not know is decided again without one, at the rule's own limit.
func (s *Service) decide(ctx context.Context, reqs []headroom.Request) []headroom.Result {
	if len(reqs) == 0 {
		return nil
	}
	results := s.engine.Batch(ctx, reqs)
	var retry []int
	for i := range results {
		if reqs[i].Account != "" && isUnknownAccount(results[i].Err) {
			retry = append(retry, i)
		}
	}
	if len(retry) == 0 {
		return results
	}
	again := make([]headroom.Request, len(retry))
	for j, i := range retry {
		again[j] = reqs[i]
		again[j].Account = ""
	}
	for j, r := range s.engine.Batch(ctx, again) {
		results[retry[j]] = r
	}
	return results
}

func isUnknownAccount(err error) bool {
	var he *headroom.Error
	return errors.As(err, &he) && (he.Code == headroom.EUNKNOWNACCOUNT || (he.Code == headroom.EINVALID && he.Field == "account"))
}

// status turns one descriptor's decision into st, an OK status until
// then, with lim and dur as its limit and its duration until reset, and
// counts it.
func (s *Service) status(st *rlsv3.RateLimitResponse_DescriptorStatus, lim *rlsv3.RateLimitResponse_RateLimit, dur *durationpb.Duration,
	p *pending, res *headroom.Result) error {
	r := p.rule
	m := r.metrics
	if p.statKey != r.StatKey {
		m = s.metrics.series(r.Domain, p.statKey)
	}
	hits := float64(p.hits)
	switch {
	case r.Unlimited:
		// "OK status code with the LimitRemaining field set to MaxUint32"
		// (envoyproxy/ratelimit, example 5).
		st.LimitRemaining = math.MaxUint32
		m.totalHits.Add(hits)
		m.withinLimit.Add(hits)
		return nil
	case r.RequestsPerUnit == 0:
		// A limit of zero refuses every hit (example 3's blocked address).
		st.CurrentLimit = currentLimit(lim, 0, r.Unit)
		s.over(st, m, r, hits)
		return nil
	case res == nil:
		// hits_addend 0: nothing taken, nothing counted.
		st.CurrentLimit = currentLimit(lim, r.RequestsPerUnit, r.Unit)
		st.LimitRemaining = r.RequestsPerUnit
		return nil
	}
	d, err := res.Decision, res.Err
	var he *headroom.Error
	errors.As(err, &he)
	switch {
	case err == nil || (he != nil && he.Code == headroom.ETHROTTLED):
	case he != nil && he.Code == headroom.EUNKNOWNQUOTA:
		// The rule left with a reload while this request was on its way.
		return nil
	case he != nil && he.Code == headroom.EINVALID && he.Field == "amount":
		// More hits than the bucket holds: over the limit, as ratelimit
		// answers a hits_addend above requests_per_unit.
		d.Allowed, d.Remaining = false, 0
	default:
		return status.Errorf(codes.Unavailable, "rate limit %s: %v", r.StatKey, err)
	}
	rate, burst := d.Limit, d.Burst
	if !(rate > 0) || burst < 1 {
		rate, burst = float64(r.RequestsPerUnit)/r.Unit.Seconds(), int64(r.RequestsPerUnit)
	}
	st.CurrentLimit = currentLimit(lim, uint32(min(burst, math.MaxUint32)), r.Unit)
	remaining := min(max(d.Remaining, 0), burst)
	st.LimitRemaining = uint32(min(remaining, math.MaxUint32))
	// The bucket is full again once the tokens taken have refilled.
	reset := time.Duration(burst-remaining) * time.Duration(headroom.RateInterval(rate))
	dur.Seconds, dur.Nanos = int64(reset/time.Second), int32(reset%time.Second)
	st.DurationUntilReset = dur
	m.totalHits.Add(hits)
	if !d.Allowed {
		s.over(st, m, r, hits)
		return nil
	}
	m.withinLimit.Add(hits)
	if float64(burst-remaining) > 0.8*float64(burst) {
		m.nearLimit.Add(hits)
	}
	return nil
}

// over marks a status over the limit; in shadow mode "the end-result will
// always be OK" and the shadow_mode statistic counts the hit
// (envoyproxy/ratelimit, "ShadowMode").
func (s *Service) over(st *rlsv3.RateLimitResponse_DescriptorStatus, m *ruleMetrics, r *Rule, hits float64) {
	if r.RequestsPerUnit == 0 {
		m.totalHits.Add(hits)
	}
	m.overLimit.Add(hits)
	st.LimitRemaining = 0
	if r.Shadow {
		m.shadowMode.Add(hits)
		return
	}
	st.Code = rlsv3.RateLimitResponse_OVER_LIMIT
}

// currentLimit fills lim with a limit of rpu per unit u and returns it.
func currentLimit(lim *rlsv3.RateLimitResponse_RateLimit, rpu uint32, u Unit) *rlsv3.RateLimitResponse_RateLimit {
	pu := rlsv3.RateLimitResponse_RateLimit_SECOND
	switch u {
	case UnitMinute:
		pu = rlsv3.RateLimitResponse_RateLimit_MINUTE
	case UnitHour:
		pu = rlsv3.RateLimitResponse_RateLimit_HOUR
	case UnitDay:
		pu = rlsv3.RateLimitResponse_RateLimit_DAY
	}
	lim.RequestsPerUnit, lim.Unit = rpu, pu
	return lim
}

// headers are the x-ratelimit-* headers of the most restrictive status, as
// envoyproxy/ratelimit picks it: the first over the limit, else the one
// with the fewest requests remaining. None without a limited descriptor.
func headers(sts []*rlsv3.RateLimitResponse_DescriptorStatus) []*corev3.HeaderValue {
	var pick *rlsv3.RateLimitResponse_DescriptorStatus
	for _, st := range sts {
		if st.CurrentLimit == nil {
			continue
		}
		if st.Code == rlsv3.RateLimitResponse_OVER_LIMIT {
			pick = st
			break
		}
		if pick == nil || st.LimitRemaining < pick.LimitRemaining {
			pick = st
		}
	}
	if pick == nil {
		return nil
	}
	reset := int64(0)
	if d := pick.GetDurationUntilReset(); d != nil {
		reset = int64(math.Ceil(d.AsDuration().Seconds()))
	}
	return []*corev3.HeaderValue{
		{Key: HeaderLimit, Value: strconv.FormatUint(uint64(pick.CurrentLimit.RequestsPerUnit), 10)},
		{Key: HeaderRemaining, Value: strconv.FormatUint(uint64(pick.LimitRemaining), 10)},
		{Key: HeaderReset, Value: strconv.FormatInt(reset, 10)},
	}
}
