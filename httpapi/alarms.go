package httpapi

import (
	"net/http"
	"strconv"

	"github.com/headroomhq/headroom"
)

// alarmRoutes mounts the alarm API: listings for any token that may read
// the account, rules and webhooks for the operator.
func (s *Server) alarmRoutes() {
	s.mux.HandleFunc("GET /v1/alarms", s.authed(s.handleListAlarms))
	s.mux.HandleFunc("GET /v1/accounts/{account}/alarms", s.forAccount(s.handleAccountAlarms))
	s.mux.HandleFunc("GET /v1/alarm-rules", s.operator(s.handleListAlarmRules))
	s.mux.HandleFunc("PUT /v1/alarm-rules", s.operator(s.handlePutAlarmRule))
	s.mux.HandleFunc("DELETE /v1/alarm-rules", s.operator(s.handleDeleteAlarmRule))
	s.mux.HandleFunc("GET /v1/webhooks", s.operator(s.handleListWebhooks))
	s.mux.HandleFunc("POST /v1/webhooks", s.operator(s.handleCreateWebhook))
	s.mux.HandleFunc("DELETE /v1/webhooks/{id}", s.operator(s.handleDeleteWebhook))
	s.mux.HandleFunc("GET /v1/webhooks/{id}/deliveries", s.operator(s.handleListDeliveries))
}

// firingOnly reads ?state=: "firing" keeps WARNING and CRITICAL, "all" or
// nothing keeps every stored state.
func firingOnly(r *http.Request) (bool, error) {
	switch v := r.URL.Query().Get("state"); v {
	case "", "all":
		return false, nil
	case "firing":
		return true, nil
	default:
		return false, headroom.FieldErrorf("state", "%q is not firing or all", v)
	}
}

// handleListAlarms lists alarms, CRITICAL first: of ?account=, or of every
// account the token may read.
func (s *Server) handleListAlarms(w http.ResponseWriter, r *http.Request) {
	firing, err := firingOnly(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principalOf(r.Context())
	account := r.URL.Query().Get("account")
	if account != "" && !p.mayAct(account) {
		s.writeError(w, r, headroom.Errorf(headroom.EFORBIDDEN, "this token may not act for account %s", account))
		return
	}
	list, err := s.svc.ListAlarms(r.Context(), account, firing)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := AlarmList{Alarms: []Alarm{}}
	for _, a := range list {
		if p.mayAct(a.Key.Account) {
			out.Alarms = append(out.Alarms, toAlarm(a, s.svc.Catalog()))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAccountAlarms(w http.ResponseWriter, r *http.Request) {
	firing, err := firingOnly(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.svc.ListAlarms(r.Context(), r.PathValue("account"), firing)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := AlarmList{Alarms: []Alarm{}}
	for _, a := range list {
		out.Alarms = append(out.Alarms, toAlarm(a, s.svc.Catalog()))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleListAlarmRules(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.ListAlarmRules(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Rules []AlarmRule `json:"rules"`
	}{Rules: []AlarmRule{}}
	for _, x := range list {
		out.Rules = append(out.Rules, toAlarmRule(x))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handlePutAlarmRule(w http.ResponseWriter, r *http.Request) {
	var in AlarmRuleSet
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	rule, err := s.svc.PutAlarmRule(r.Context(), in.rule(), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAlarmRule(rule))
}

// handleDeleteAlarmRule removes the rule of ?account= and ?code= (either
// empty for "every").
func (s *Server) handleDeleteAlarmRule(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := s.svc.DeleteAlarmRule(r.Context(), q.Get("account"), q.Get("code"), actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.ListWebhooks(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Webhooks []Webhook `json:"webhooks"`
	}{Webhooks: []Webhook{}}
	for _, x := range list {
		x.Secret = ""
		out.Webhooks = append(out.Webhooks, toWebhook(x))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	var in WebhookCreate
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	hook, err := s.svc.CreateWebhook(r.Context(), headroom.Webhook{URL: in.URL, Account: in.Account, Secret: in.Secret}, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toWebhook(hook))
}

func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteWebhook(r.Context(), r.PathValue("id"), actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleListDeliveries lists a webhook's notifications, newest first:
// ?state=pending|delivered|failed, ?limit= up to 1000.
func (s *Server) handleListDeliveries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.svc.FindWebhook(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := headroom.NotificationFilter{Webhook: id, State: headroom.NotificationState(q.Get("state"))}
	switch f.State {
	case "", headroom.NotificationPending, headroom.NotificationDelivered, headroom.NotificationFailed:
	default:
		s.writeError(w, r, headroom.FieldErrorf("state", "%q is not pending, delivered or failed", f.State))
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(w, r, headroom.FieldErrorf("limit", "%q is not a number from 1 to 1000", v))
			return
		}
		f.Limit = n
	}
	list, err := s.svc.ListNotifications(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Deliveries []Delivery `json:"deliveries"`
	}{Deliveries: []Delivery{}}
	for _, n := range list {
		out.Deliveries = append(out.Deliveries, toDelivery(n))
	}
	writeJSON(w, http.StatusOK, out)
}
