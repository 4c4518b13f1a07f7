package httpapi

import (
	"net/http"

	"github.com/headroomhq/headroom"
)

func (s *Server) handleListQuotas(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.svc.ListStatus(r.Context(), r.PathValue("account"), headroom.StatusFilter{Service: q.Get("service"), Scope: q.Get("scope")})
	s.writeQuotas(w, r, list, err)
}

// writeQuotas answers with a list of quota statuses, or the error.
func (s *Server) writeQuotas(w http.ResponseWriter, r *http.Request, list []headroom.QuotaStatus, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := QuotaList{Quotas: make([]Quota, 0, len(list))}
	for _, st := range list {
		out.Quotas = append(out.Quotas, toQuota(st))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetQuota(w http.ResponseWriter, r *http.Request) {
	st, err := s.svc.Status(r.Context(), r.PathValue("account"), r.PathValue("code"), r.URL.Query().Get("scope"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toQuota(st))
}

func (s *Server) handleUsage(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.BusiestUsage(r.Context(), r.PathValue("account"))
	s.writeQuotas(w, r, list, err)
}

func (s *Server) handleListOverrides(w http.ResponseWriter, r *http.Request) {
	account := r.PathValue("account")
	list, err := s.svc.ListOverrides(r.Context(), account)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Overrides []Override `json:"overrides"`
	}{Overrides: []Override{}}
	for _, o := range list {
		out.Overrides = append(out.Overrides, toOverride(o))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleSetOverride(w http.ResponseWriter, r *http.Request) {
	var in OverrideSet
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	o := headroom.Override{Account: r.PathValue("account"), Code: r.PathValue("code"), Scope: in.Scope, Allow: in.Allow, Deny: in.Deny}
	if in.Value != nil {
		o.Value = *in.Value
	} else if len(in.Allow)+len(in.Deny) == 0 {
		s.writeError(w, r, headroom.FieldErrorf("value", "is required"))
		return
	}
	if err := s.svc.SetOverride(r.Context(), o, actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.svc.Status(r.Context(), o.Account, o.Code, o.Scope)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toQuota(st))
}

func (s *Server) handleDeleteOverride(w http.ResponseWriter, r *http.Request) {
	err := s.svc.DeleteOverride(r.Context(), r.PathValue("account"), r.PathValue("code"), r.URL.Query().Get("scope"), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleReconcile(w http.ResponseWriter, r *http.Request) {
	var in UsageSet
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Used == nil {
		s.writeError(w, r, headroom.FieldErrorf("used", "is required"))
		return
	}
	account, code := r.PathValue("account"), r.PathValue("code")
	if err := s.svc.Reconcile(r.Context(), account, code, in.Scope, *in.Used, actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.svc.Status(r.Context(), account, code, in.Scope)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toQuota(st))
}
