package plan

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
)

// Enforcer is what the simulation drives: the real engine's decisions.
// headroom.QuotaService satisfies it.
type Enforcer interface {
	Catalog() *headroom.Catalog
	Do(ctx context.Context, r headroom.Request) (headroom.Decision, error)
}

// SettableClock is the simulation's injected clock, which it moves to each
// event's time before asking the engine (clock.Manual is one).
type SettableClock interface {
	Set(t time.Time)
}

// SimConfig is one simulation run.
type SimConfig struct {
	Account  string
	Instance string
	Forecast []Interval
	Growth   *Growth
	// Seed makes the run reproducible.
	Seed uint64
	// Warmup is left out of the measurements, from the first interval's
	// start, so that an empty system at the start does not bias them.
	Warmup time.Duration
}

// SimCounts counts what happened to one kind of contact or request.
type SimCounts struct {
	Offered   int64 `json:"offered"`
	Refused   int64 `json:"refused"`
	Abandoned int64 `json:"abandoned,omitempty"`
	// Answered counts the calls answered within the service-level
	// target's time (callbacks aside).
	Answered int64 `json:"answered_in_target,omitempty"`
}

// Share returns Refused/Offered, or 0.
func (c SimCounts) Share() float64 {
	if c.Offered == 0 {
		return 0
	}
	return float64(c.Refused) / float64(c.Offered)
}

// SimResult is what a simulation measured.
type SimResult struct {
	// Calls: refused calls heard the reorder tone.
	Calls SimCounts `json:"calls"`
	Chats SimCounts `json:"chats"`
	Tasks SimCounts `json:"tasks"`
	// API counts requests by rate quota code; refused ones were throttled.
	API map[string]*SimCounts `json:"api"`
	// SimulatedHours is the time simulated, and Events the events handled.
	SimulatedHours float64 `json:"simulated_hours"`
	Events         int64   `json:"events"`
}

type eventKind uint8

const (
	evArrival eventKind = iota
	evDeparture
	evAbandon
	evAPI
	evShift
)

type event struct {
	at      float64 // seconds from the start
	kind    eventKind
	channel int // chanVoice, chanChat, chanTask, or the API program index
	id      int64
}

type eventHeap []event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

const (
	chanVoice = iota
	chanChat
	chanTask
)

// station is a multi-server queue of the simulation: voice or chat.
type station struct {
	code    string
	busy    int
	waiting []int64 // FIFO of contact ids, abandoned ones included
	queued  map[int64]bool
	counts  *SimCounts
}

// simContact is one contact's drawn handle time.
type simContact struct {
	service  float64
	arrival  float64
	callback bool
}

// Simulate replays a forecast through the real engine, event by event, on
// the injected clock: Poisson arrivals of calls, chats and tasks at each
// interval's rate, exponential handle times, agents as the plan staffs
// them, callers abandoning after an exponential patience when the growth
// plan gives one, and the API programs' requests as Poisson streams at
// their steady rates. Every contact takes a slot of its concurrency quota
// through the engine when it arrives and frees it when it ends, so the
// engine's refusals are the reorder tones and quota errors; every API
// request takes a token, so its refusals are the throttles. It is
// single-threaded and deterministic for a seed; the engine must be the
// simulation's alone (its store and limiter start empty).
func Simulate(ctx context.Context, eng Enforcer, clk SettableClock, cfg SimConfig) (*SimResult, error) {
	if len(cfg.Forecast) == 0 {
		return nil, headroom.FieldErrorf("forecast", "has no intervals")
	}
	if cfg.Growth == nil {
		cfg.Growth = &Growth{}
	}
	voicePts, chatPts, err := contactSeries(Input{Forecast: cfg.Forecast, Growth: cfg.Growth})
	if err != nil {
		return nil, err
	}
	scope := headroom.ScopeAccount
	if cfg.Instance != "" {
		scope = "instance/" + cfg.Instance
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	exp := func(mean float64) float64 { return rng.ExpFloat64() * mean }
	start := cfg.Forecast[0].Start
	warm := cfg.Warmup.Seconds()
	res := &SimResult{API: map[string]*SimCounts{}}
	for _, iv := range cfg.Forecast {
		res.SimulatedHours += iv.Seconds() / 3600
	}
	var h eventHeap
	var nextID int64
	push := func(e event) { heap.Push(&h, e) }

	// Arrivals of every interval, drawn up front: a Poisson process of the
	// interval's rate over its span.
	contacts := map[int64]simContact{}
	for _, iv := range cfg.Forecast {
		s0 := iv.Start.Sub(start).Seconds()
		span := iv.Seconds()
		for _, st := range []struct {
			channel int
			n, mean float64
			cb      bool
		}{{chanVoice, iv.Calls, iv.AHTSeconds, false}, {chanVoice, iv.Callbacks, iv.AHTSeconds, true},
			{chanChat, iv.Chats, iv.ChatSeconds, false}, {chanTask, iv.Tasks, iv.TaskSeconds, false}} {
			if st.n <= 0 {
				continue
			}
			rate := st.n / span
			for t := s0 + exp(1/rate); t < s0+span; t += exp(1 / rate) {
				nextID++
				contacts[nextID] = simContact{service: exp(st.mean), arrival: t, callback: st.cb}
				push(event{at: t, kind: evArrival, channel: st.channel, id: nextID})
			}
		}
	}
	// Each interval's start re-reads the staff, so that waiting contacts
	// go to agents who come on shift.
	for i, iv := range cfg.Forecast {
		push(event{at: iv.Start.Sub(start).Seconds(), kind: evShift, channel: i})
	}
	// API programs: Poisson streams at their steady rates while they run.
	type apiProg struct {
		code, scope string
		rate        float64
		a           *Automation
	}
	var progs []apiProg
	for i := range cfg.Growth.Automation {
		a := &cfg.Growth.Automation[i]
		q, err := eng.Catalog().RateQuotaFor(a.api, a.op)
		if err != nil {
			return nil, headroom.FieldErrorf("growth", "automation[%d].operation: %s", i, headroom.ErrorMessage(err))
		}
		sc := headroom.ScopeAccount
		if q.Scope != headroom.ScopeAccount {
			sc = scope
		}
		progs = append(progs, apiProg{code: q.Code, scope: sc, rate: a.Steady(), a: a})
		if res.API[q.Code] == nil {
			res.API[q.Code] = &SimCounts{}
		}
		if r := a.Steady(); r > 0 {
			push(event{at: exp(1 / r), kind: evAPI, channel: i})
		}
	}

	voice := &station{code: headroom.CodeConcurrentCalls, queued: map[int64]bool{}, counts: &res.Calls}
	chat := &station{code: headroom.CodeConcurrentChats, queued: map[int64]bool{}, counts: &res.Chats}
	within := cfg.Growth.Target().Within
	var theta float64
	if cfg.Growth.PatienceSeconds > 0 {
		theta = cfg.Growth.PatienceSeconds
	}
	// ivIndex is the interval in force t seconds in: the last that starts
	// at or before it.
	starts := make([]float64, len(cfg.Forecast))
	ends := make([]float64, len(cfg.Forecast))
	for i, iv := range cfg.Forecast {
		starts[i] = iv.Start.Sub(start).Seconds()
		ends[i] = iv.End().Sub(start).Seconds()
	}
	ivIndex := func(t float64) int {
		return max(0, sort.SearchFloat64s(starts, math.Nextafter(t, math.Inf(1)))-1)
	}
	lease := func(id int64) string { return "sim-" + strconv.FormatInt(id, 10) }
	do := func(t float64, r headroom.Request) (bool, error) {
		clk.Set(start.Add(time.Duration(t * float64(time.Second))))
		r.Account = cfg.Account
		_, err := eng.Do(ctx, r)
		switch headroom.ErrorCodeOf(err) {
		case "":
			return true, nil
		case headroom.EQUOTAEXCEEDED, headroom.ETHROTTLED:
			return false, nil
		}
		return false, fmt.Errorf("simulate: %w", err)
	}
	const ttl = 30 * 24 * time.Hour
	acquire := func(t float64, code string, id int64) (bool, error) {
		return do(t, headroom.Request{Op: headroom.OpAcquire, Code: code, Scope: scope, LeaseID: lease(id), TTL: ttl})
	}
	release := func(t float64, code string, id int64) error {
		_, err := do(t, headroom.Request{Op: headroom.OpReleaseLease, Code: code, Scope: scope, LeaseID: lease(id)})
		return err
	}
	servers := func(st *station, t float64) int {
		i := ivIndex(t)
		if st == voice {
			return voicePts[i].Servers
		}
		return chatPts[i].Servers
	}
	// startNext serves waiting contacts while agents are free.
	startNext := func(st *station, t float64, channel int) {
		for st.busy < servers(st, t) && len(st.waiting) > 0 {
			id := st.waiting[0]
			st.waiting = st.waiting[1:]
			if !st.queued[id] {
				continue // abandoned
			}
			delete(st.queued, id)
			st.busy++
			if c := contacts[id]; st == voice && c.arrival >= warm && t-c.arrival <= within {
				st.counts.Answered++
			}
			push(event{at: t + contacts[id].service, kind: evDeparture, channel: channel, id: id})
		}
	}
	var callbacks []int64 // waiting in the callback queue, uncounted
	for h.Len() > 0 {
		e := heap.Pop(&h).(event)
		res.Events++
		measured := e.at >= warm
		switch e.kind {
		case evShift:
			startNext(voice, e.at, chanVoice)
			startNext(chat, e.at, chanChat)
			if err := offerCallbacks(voice, e.at, &callbacks, servers, acquire, push, contacts, measured, &res.Calls); err != nil {
				return nil, err
			}
		case evAPI:
			p := progs[e.channel]
			// Only the forecast's intervals are replayed: a request due in
			// a gap between them moves to the next interval (the stream is
			// memoryless, so it restarts there).
			if i := ivIndex(e.at); e.at >= ends[i] {
				if i+1 >= len(starts) {
					continue
				}
				push(event{at: starts[i+1] + exp(1/p.rate), kind: evAPI, channel: e.channel})
				continue
			}
			at := start.Add(time.Duration(e.at * float64(time.Second)))
			if p.a.runs(at) {
				ok, err := do(e.at, headroom.Request{Op: headroom.OpTake, Code: p.code, Scope: p.scope, Amount: 1})
				if err != nil {
					return nil, err
				}
				if measured {
					c := res.API[p.code]
					c.Offered++
					if !ok {
						c.Refused++
					}
				}
			}
			push(event{at: e.at + exp(1/p.rate), kind: evAPI, channel: e.channel})
		case evArrival:
			c := contacts[e.id]
			switch {
			case e.channel == chanTask:
				ok, err := acquire(e.at, headroom.CodeActiveTasks, e.id)
				if err != nil {
					return nil, err
				}
				if measured {
					res.Tasks.Offered++
					if !ok {
						res.Tasks.Refused++
					}
				}
				if ok {
					push(event{at: e.at + c.service, kind: evDeparture, channel: chanTask, id: e.id})
				}
			case c.callback:
				// Not counted until offered to an available agent.
				callbacks = append(callbacks, e.id)
				if err := offerCallbacks(voice, e.at, &callbacks, servers, acquire, push, contacts, measured, &res.Calls); err != nil {
					return nil, err
				}
			default:
				st := voice
				if e.channel == chanChat {
					st = chat
				}
				ok, err := acquire(e.at, st.code, e.id)
				if err != nil {
					return nil, err
				}
				if measured {
					st.counts.Offered++
					if !ok {
						st.counts.Refused++
					}
				}
				if !ok {
					continue
				}
				st.waiting = append(st.waiting, e.id)
				st.queued[e.id] = true
				if st == voice && theta > 0 {
					push(event{at: e.at + exp(theta), kind: evAbandon, channel: chanVoice, id: e.id})
				}
				startNext(st, e.at, e.channel)
			}
		case evAbandon:
			if voice.queued[e.id] {
				delete(voice.queued, e.id)
				if measured {
					res.Calls.Abandoned++
				}
				if err := release(e.at, voice.code, e.id); err != nil {
					return nil, err
				}
			}
		case evDeparture:
			switch e.channel {
			case chanTask:
				if err := release(e.at, headroom.CodeActiveTasks, e.id); err != nil {
					return nil, err
				}
			default:
				st := voice
				if e.channel == chanChat {
					st = chat
				}
				st.busy--
				if err := release(e.at, st.code, e.id); err != nil {
					return nil, err
				}
				startNext(st, e.at, e.channel)
				if st == voice {
					if err := offerCallbacks(voice, e.at, &callbacks, servers, acquire, push, contacts, measured, &res.Calls); err != nil {
						return nil, err
					}
				}
			}
			delete(contacts, e.id)
		}
	}
	return res, nil
}

// offerCallbacks offers waiting callbacks to free agents once no inbound
// call waits; a callback takes its call slot only then, as the seed says.
// A callback the quota refuses stays in its queue for the next free agent,
// so it is counted once, when it is offered successfully.
func offerCallbacks(voice *station, t float64, queue *[]int64, servers func(*station, float64) int,
	acquire func(float64, string, int64) (bool, error), push func(event), contacts map[int64]simContact, measured bool, counts *SimCounts) error {
	for len(*queue) > 0 && voice.busy < servers(voice, t) && len(voice.queued) == 0 {
		id := (*queue)[0]
		ok, err := acquire(t, voice.code, id)
		if err != nil || !ok {
			return err
		}
		if measured {
			counts.Offered++
		}
		*queue = (*queue)[1:]
		voice.busy++
		push(event{at: t + contacts[id].service, kind: evDeparture, channel: chanVoice, id: id})
	}
	return nil
}
