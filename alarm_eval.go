package headroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// AlarmActor is the actor of the audit entries of alarm transitions.
const AlarmActor = "headroom-alarms"

// AlarmTransition is one alarm's change of level made by an evaluation.
type AlarmTransition struct {
	From  AlarmLevel
	State AlarmState
}

// AlarmReport says what one evaluation pass did.
type AlarmReport struct {
	// Accounts is the number of accounts evaluated.
	Accounts int
	// Alarms is the number of alarms evaluated (usage and throttle).
	Alarms int
	// Transitions are the changes of level this pass made.
	Transitions []AlarmTransition
	// Conflicts counts transitions another evaluator made first; they are
	// no error.
	Conflicts int
	// Notifications counts the notifications enqueued.
	Notifications int
}

// alarmPass is what one evaluation shares across accounts.
type alarmPass struct {
	now      time.Time
	rules    AlarmRules
	webhooks []Webhook
	report   AlarmReport
}

// EvaluateAlarms runs one evaluation pass over every account: each usage
// counter of a count, cumulative or concurrency quota (and each alarm not
// at OK, whose usage may have gone to zero) gets the level its usage ratio
// gives under the rule that applies, with hysteresis; each rate quota,
// counted for the account or in a scope where the account holds usage, gets
// its throttle alarm, CRITICAL while more than the rule's N decisions were
// throttled in its last M minutes of history. Each change of level is
// stored with SetAlarmState, with an "alarm.transition" audit entry and one
// notification per webhook that takes the account; a change another node
// made first counts in Conflicts. An account that fails does not stop the
// others: the errors are joined. Safe for concurrent use, also from several
// nodes on one store.
func (e *Engine) EvaluateAlarms(ctx context.Context) (AlarmReport, error) {
	p := &alarmPass{now: e.clock.Now()}
	rules, err := e.store.ListAlarmRules(ctx)
	if err != nil {
		return p.report, fmt.Errorf("evaluate alarms: %w", err)
	}
	p.rules = NewAlarmRules(rules)
	if p.webhooks, err = e.store.ListWebhooks(ctx); err != nil {
		return p.report, fmt.Errorf("evaluate alarms: %w", err)
	}
	accounts, err := e.store.ListAccounts(ctx)
	if err != nil {
		return p.report, fmt.Errorf("evaluate alarms: %w", err)
	}
	var errs []error
	for i := range accounts {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		p.report.Accounts++
		if err := e.evaluateAccount(ctx, p, &accounts[i]); err != nil {
			errs = append(errs, fmt.Errorf("evaluate alarms of account %s: %w", accounts[i].ID, err))
		}
	}
	return p.report, errors.Join(errs...)
}

type alarmKey struct {
	key  UsageKey
	kind AlarmKind
}

func (e *Engine) evaluateAccount(ctx context.Context, p *alarmPass, acct *Account) error {
	states, err := e.store.ListAlarmStates(ctx, AlarmStateFilter{Account: acct.ID})
	if err != nil {
		return err
	}
	prev := make(map[alarmKey]AlarmLevel, len(states))
	for _, s := range states {
		prev[alarmKey{s.Key, s.Kind}] = s.Level
	}
	usage, err := e.store.ListUsage(ctx, acct.ID, p.now)
	if err != nil {
		return err
	}
	used := make(map[UsageKey]int64, len(usage))
	for _, u := range usage {
		used[u.Key] = u.Used
	}
	// An alarm not at OK is evaluated even without usage, so that it can
	// return to OK.
	for _, s := range states {
		if s.Kind == AlarmUsage && s.Level != AlarmOK {
			if _, ok := used[s.Key]; !ok {
				used[s.Key] = 0
			}
		}
	}
	for k, n := range used {
		q, err := e.quota(k.Code)
		if err != nil || (q.Kind != KindCount && q.Kind != KindCumulative && q.Kind != KindConcurrency) {
			continue // usage of a quota no longer in the catalog
		}
		applied, err := e.resolve(ctx, acct, q, k.Scope)
		if err != nil {
			return err
		}
		ratio := math.NaN()
		if applied.Value > 0 {
			ratio = float64(n) / applied.Value
		}
		rule := p.rules.For(acct.ID, q.Code)
		from := prev[alarmKey{k, AlarmUsage}]
		if from == "" {
			from = AlarmOK
		}
		p.report.Alarms++
		to := rule.Thresholds.Level(from, ratio)
		if to == from {
			continue
		}
		s := AlarmState{Key: k, Kind: AlarmUsage, Level: to, Value: n, Applied: applied.Value, Ratio: ratio,
			Threshold: crossed(rule.Thresholds, from, to), Since: p.now, Updated: p.now}
		if ratio != ratio {
			s.Ratio = 0
		}
		if err := e.alarmTransition(ctx, p, q, from, s); err != nil {
			return err
		}
	}
	return e.evaluateThrottles(ctx, p, acct, states, prev)
}

// evaluateThrottles evaluates the throttle alarms of an account: those of
// every rate bucket throttled within its rule's window, read in one call
// (ListThrottled over the widest window of the account's rules), and those
// not at OK, so that they can return to it.
func (e *Engine) evaluateThrottles(ctx context.Context, p *alarmPass, acct *Account, states []AlarmState, prev map[alarmKey]AlarmLevel) error {
	widest := DefaultThrottleMinutes
	for _, q := range e.quotas() {
		if q.Kind == KindRate {
			widest = max(widest, p.rules.For(acct.ID, q.Code).ThrottleMinutes)
		}
	}
	end := p.now.Truncate(time.Minute).Add(time.Minute)
	rows, err := e.store.ListThrottled(ctx, acct.ID, end.Add(-time.Duration(widest)*time.Minute), end)
	if err != nil {
		return err
	}
	byKey := map[UsageKey][]HistorySample{}
	var keys []UsageKey
	for _, r := range rows {
		if _, ok := byKey[r.Key]; !ok {
			keys = append(keys, r.Key)
		}
		byKey[r.Key] = append(byKey[r.Key], r)
	}
	for _, s := range states {
		if _, ok := byKey[s.Key]; !ok && s.Kind == AlarmThrottle && s.Level != AlarmOK {
			byKey[s.Key] = nil
			keys = append(keys, s.Key)
		}
	}
	for _, k := range keys {
		q, err := e.quota(k.Code)
		if err != nil || q.Kind != KindRate {
			continue // a bucket of a quota no longer in the catalog
		}
		if err := e.evaluateThrottle(ctx, p, acct, q, k, byKey[k], end, prev); err != nil {
			return err
		}
	}
	return nil
}

// crossed returns the threshold crossed by a move from one level to
// another: the threshold of the level entered when rising, the lower edge
// of the level left when falling.
func crossed(t AlarmThresholds, from, to AlarmLevel) float64 {
	threshold := func(l AlarmLevel) float64 {
		switch l {
		case AlarmCritical:
			return t.Critical
		case AlarmWarning:
			return t.Warning
		}
		return 0
	}
	if levelRank(to) < levelRank(from) { // rising
		return threshold(to)
	}
	return threshold(from) - t.Hysteresis
}

func (e *Engine) evaluateThrottle(ctx context.Context, p *alarmPass, acct *Account, q *Quota, k UsageKey, rows []HistorySample, end time.Time, prev map[alarmKey]AlarmLevel) error {
	rule := p.rules.For(acct.ID, q.Code)
	from := prev[alarmKey{k, AlarmThrottle}]
	if from == "" {
		from = AlarmOK
	}
	if rule.Thresholds.Off && from == AlarmOK {
		return nil
	}
	p.report.Alarms++
	start := end.Add(-time.Duration(rule.ThrottleMinutes) * time.Minute)
	var throttled int64
	for _, r := range rows {
		if !r.Minute.Before(start) {
			throttled += r.Throttled
		}
	}
	to := AlarmOK
	if !rule.Thresholds.Off && throttled > rule.ThrottleCount {
		to = AlarmCritical
	}
	if to == from {
		return nil
	}
	s := AlarmState{Key: k, Kind: AlarmThrottle, Level: to, Value: throttled, Applied: float64(rule.ThrottleCount),
		Threshold: float64(rule.ThrottleCount), Since: p.now, Updated: p.now}
	return e.alarmTransition(ctx, p, q, from, s)
}

// alarmTransition stores one change of level with its audit entry and its
// notifications. A change another evaluator made first is counted, not
// returned.
func (e *Engine) alarmTransition(ctx context.Context, p *alarmPass, q *Quota, from AlarmLevel, s AlarmState) error {
	var out []Notification
	for _, w := range p.webhooks {
		if !w.Matches(s.Key.Account) {
			continue
		}
		id := newNotificationID()
		body, err := json.Marshal(alarmNotice(id, q, from, s))
		if err != nil {
			return Errorf(EINTERNAL, "encoding a notification: %v", err)
		}
		out = append(out, Notification{ID: id, Webhook: w.ID, Body: body, NextAttempt: p.now, Created: p.now,
			State: NotificationPending, Updated: p.now})
	}
	audit := AuditEntry{Time: p.now, Actor: AlarmActor, Account: s.Key.Account, Action: "alarm.transition",
		Code: s.Key.Code, Scope: s.Key.Scope, Detail: alarmDetail(from, s)}
	err := e.store.SetAlarmState(ctx, from, s, audit, out)
	if ErrorCodeOf(err) == ECONFLICT {
		p.report.Conflicts++
		return nil
	}
	if err != nil {
		return err
	}
	p.report.Transitions = append(p.report.Transitions, AlarmTransition{From: from, State: s})
	p.report.Notifications += len(out)
	return nil
}

// alarmNotice is the payload of a transition's notification.
func alarmNotice(id string, q *Quota, from AlarmLevel, s AlarmState) AlarmNotice {
	n := AlarmNotice{ID: id, Account: s.Key.Account, Code: s.Key.Code, Name: q.Name, Scope: s.Key.Scope, Kind: s.Kind,
		Applied: s.Applied, Usage: s.Value, Threshold: s.Threshold, State: s.Level, PreviousState: from, Time: s.Updated}
	if s.Kind == AlarmUsage {
		n.Percent = math.Round(1000*s.Ratio) / 10
	}
	return n
}
