package headroom

// CheckAlarms returns an EINVALID error naming the first alarm item of s
// that a store must not import: a rule, state or webhook that does not
// validate, one given twice (a rule by account and code, a state by key
// and kind, a webhook or notification by id), a notification in an
// unknown state, or a pending notification of a webhook s does not hold.
// Every Importer calls it before it writes anything.
func (s Snapshot) CheckAlarms() error {
	rules := make(map[[2]string]bool, len(s.AlarmRules))
	for _, r := range s.AlarmRules {
		if err := r.Validate(); err != nil {
			return Errorf(EINVALID, "the snapshot has a bad alarm rule for %s: %s", r.Describe(), ErrorMessage(err))
		}
		k := [2]string{r.Account, r.Code}
		if rules[k] {
			return Errorf(EINVALID, "the snapshot has the alarm rule for %s twice", r.Describe())
		}
		rules[k] = true
	}
	type stateKey struct {
		key  UsageKey
		kind AlarmKind
	}
	states := make(map[stateKey]bool, len(s.AlarmStates))
	for _, st := range s.AlarmStates {
		if err := st.Validate(); err != nil {
			return Errorf(EINVALID, "the snapshot has a bad alarm state of %s %s: %s", st.Key.Code, st.Key.Scope, ErrorMessage(err))
		}
		k := stateKey{st.Key, st.Kind}
		if states[k] {
			return Errorf(EINVALID, "the snapshot has the %s alarm state of %s in %s twice", st.Kind, st.Key.Code,
				DescribeScope(st.Key.Account, st.Key.Scope))
		}
		states[k] = true
	}
	webhooks := make(map[string]bool, len(s.Webhooks))
	for _, w := range s.Webhooks {
		if err := w.Validate(); err != nil {
			return Errorf(EINVALID, "the snapshot has a bad webhook %s: %s", w.ID, ErrorMessage(err))
		}
		if webhooks[w.ID] {
			return Errorf(EINVALID, "the snapshot has webhook %s twice", w.ID)
		}
		webhooks[w.ID] = true
	}
	notifications := make(map[string]bool, len(s.Notifications))
	for _, n := range s.Notifications {
		switch {
		case n.ID == "":
			return Errorf(EINVALID, "the snapshot has a notification without an id")
		case notifications[n.ID]:
			return Errorf(EINVALID, "the snapshot has notification %s twice", n.ID)
		case n.State != NotificationPending && n.State != NotificationDelivered && n.State != NotificationFailed:
			return Errorf(EINVALID, "the snapshot has notification %s in state %q; want %s, %s or %s", n.ID, n.State,
				NotificationPending, NotificationDelivered, NotificationFailed)
		case n.State == NotificationPending && !webhooks[n.Webhook]:
			return Errorf(EINVALID, "the snapshot has pending notification %s of webhook %s, which it does not hold", n.ID, n.Webhook)
		case n.Attempts < 0:
			return Errorf(EINVALID, "the snapshot has notification %s with %d attempts", n.ID, n.Attempts)
		}
		notifications[n.ID] = true
	}
	return nil
}
