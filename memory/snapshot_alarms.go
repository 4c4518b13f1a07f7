package memory

import (
	"sort"

	"github.com/headroomhq/headroom"
)

// exportAlarmsLocked adds the alarm rules, states, webhooks and the
// outbox to snap, in the Snapshot's orders; s.mu must be held.
func (s *Store) exportAlarmsLocked(snap *headroom.Snapshot) {
	for _, r := range s.alarms.rules {
		snap.AlarmRules = append(snap.AlarmRules, r)
	}
	headroom.SortAlarmRules(snap.AlarmRules)
	for _, st := range s.alarms.states {
		snap.AlarmStates = append(snap.AlarmStates, st)
	}
	headroom.SortAlarmStates(snap.AlarmStates)
	for _, w := range s.alarms.webhooks {
		snap.Webhooks = append(snap.Webhooks, w)
	}
	sort.Slice(snap.Webhooks, func(i, j int) bool {
		a, b := snap.Webhooks[i], snap.Webhooks[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
	for _, n := range s.alarms.outbox {
		c := *n
		c.Body = append([]byte(nil), n.Body...)
		snap.Notifications = append(snap.Notifications, c)
	}
	sort.Slice(snap.Notifications, func(i, j int) bool {
		a, b := snap.Notifications[i], snap.Notifications[j]
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
}

// fillAlarms loads the alarm part of snap into n, a new store no one else
// holds, once snap.CheckAlarms has passed.
func (n *Store) fillAlarms(snap headroom.Snapshot) error {
	if err := snap.CheckAlarms(); err != nil {
		return err
	}
	n.alarms.init()
	for _, r := range snap.AlarmRules {
		n.alarms.rules[[2]string{r.Account, r.Code}] = r
	}
	for _, st := range snap.AlarmStates {
		n.alarms.states[alarmKey{st.Key, st.Kind}] = st
	}
	for _, w := range snap.Webhooks {
		n.alarms.webhooks[w.ID] = w
	}
	for _, x := range snap.Notifications {
		x.Body = append([]byte(nil), x.Body...)
		n.alarms.outbox[x.ID] = &x
	}
	return nil
}

// alarmsEmpty reports whether the store holds no alarm state; s.mu must
// be held.
func (s *Store) alarmsEmpty() bool {
	d := &s.alarms
	return len(d.rules) == 0 && len(d.states) == 0 && len(d.webhooks) == 0 && len(d.outbox) == 0
}
