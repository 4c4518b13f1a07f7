package memory

import (
	"context"

	"github.com/headroomhq/headroom"
)

// alarmData is the alarm part of a Store, guarded by Store.mu. Its maps are
// made on first write.
type alarmData struct {
	rules    map[[2]string]headroom.AlarmRule // (account, code)
	states   map[alarmKey]headroom.AlarmState
	webhooks map[string]headroom.Webhook
	outbox   map[string]*headroom.Notification
}

type alarmKey struct {
	key  headroom.UsageKey
	kind headroom.AlarmKind
}

func (d *alarmData) init() {
	if d.rules == nil {
		d.rules = map[[2]string]headroom.AlarmRule{}
		d.states = map[alarmKey]headroom.AlarmState{}
		d.webhooks = map[string]headroom.Webhook{}
		d.outbox = map[string]*headroom.Notification{}
	}
}

// PutAlarmRule implements headroom.Store.
func (s *Store) PutAlarmRule(_ context.Context, r headroom.AlarmRule, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alarms.init()
	s.alarms.rules[[2]string{r.Account, r.Code}] = r
	s.appendAuditLocked(audit)
	return nil
}

// DeleteAlarmRule implements headroom.Store.
func (s *Store) DeleteAlarmRule(_ context.Context, account, code string, audit headroom.AuditEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{account, code}
	if _, ok := s.alarms.rules[k]; !ok {
		return headroom.Errorf(headroom.ENOTFOUND, "there is no alarm rule for %s", headroom.AlarmRule{Account: account, Code: code}.Describe())
	}
	delete(s.alarms.rules, k)
	s.appendAuditLocked(audit)
	return nil
}

// ListAlarmRules implements headroom.Store.
func (s *Store) ListAlarmRules(context.Context) ([]headroom.AlarmRule, error) {
	s.mu.RLock()
	out := make([]headroom.AlarmRule, 0, len(s.alarms.rules))
	for _, r := range s.alarms.rules {
		out = append(out, r)
	}
	s.mu.RUnlock()
	headroom.SortAlarmRules(out)
	return out, nil
}

// SetAlarmState implements headroom.Store.
func (s *Store) SetAlarmState(_ context.Context, from headroom.AlarmLevel, st headroom.AlarmState, audit headroom.AuditEntry, out []headroom.Notification) error {
	if err := st.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alarms.init()
	k := alarmKey{st.Key, st.Kind}
	cur := headroom.AlarmOK
	if old, ok := s.alarms.states[k]; ok {
		cur = old.Level
	}
	if cur != from {
		return headroom.Errorf(headroom.ECONFLICT, "the %s alarm of %s %s is %s, not %s: another evaluation moved it", st.Kind, st.Key.Code, st.Key.Scope, cur, from)
	}
	for _, n := range out {
		if _, ok := s.alarms.outbox[n.ID]; ok {
			return headroom.Errorf(headroom.ECONFLICT, "notification %s already exists", n.ID)
		}
	}
	s.alarms.states[k] = st
	for _, n := range out {
		n.Body = append([]byte(nil), n.Body...)
		s.alarms.outbox[n.ID] = &n
	}
	s.appendAuditLocked(audit)
	return nil
}

// ListAlarmStates implements headroom.Store.
func (s *Store) ListAlarmStates(_ context.Context, f headroom.AlarmStateFilter) ([]headroom.AlarmState, error) {
	s.mu.RLock()
	out := []headroom.AlarmState{}
	for _, st := range s.alarms.states {
		if f.Match(st) {
			out = append(out, st)
		}
	}
	s.mu.RUnlock()
	headroom.SortAlarmStates(out)
	return out, nil
}
