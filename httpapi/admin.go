package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
)

func (s *Server) handleListAccounts(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.ListAccounts(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Accounts []Account `json:"accounts"`
	}{Accounts: []Account{}}
	for _, a := range list {
		out.Accounts = append(out.Accounts, toAccount(a))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleCreateAccount(w http.ResponseWriter, r *http.Request) {
	var in AccountCreate
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a := headroom.Account{ID: in.AccountID}
	if in.Created != "" {
		t, err := time.Parse(time.DateOnly, in.Created)
		if err != nil {
			s.writeError(w, r, headroom.FieldErrorf("created", "%q is not a date such as 2020-03-01", in.Created))
			return
		}
		a.Created = t
	}
	if in.AISPL {
		a.Partner = headroom.PartnerAISPL
	}
	a, k, err := s.svc.CreateAccount(r.Context(), a, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, AccountCreated{Account: toAccount(a), AccessKeyID: k.ID, SecretAccessKey: k.Secret})
}

func (s *Server) handleGetAccount(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.FindAccount(r.Context(), r.PathValue("account"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAccount(a))
}

func (s *Server) handleCreateKey(w http.ResponseWriter, r *http.Request) {
	k, err := s.svc.CreateAccessKey(r.Context(), r.PathValue("account"), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, AccessKey{AccountID: k.Account, AccessKeyID: k.ID, SecretAccessKey: k.Secret})
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.ListTokens(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Tokens []Token `json:"tokens"`
	}{Tokens: []Token{}}
	for _, t := range list {
		out.Tokens = append(out.Tokens, toToken(t))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	var in TokenCreate
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, secret, err := s.svc.CreateToken(r.Context(), in.Name, headroom.Role(in.Role), in.Accounts, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := toToken(t)
	out.Secret = secret
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) handleDeleteToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.svc.DeleteToken(r.Context(), id, actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.forgetTokens()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := headroom.AuditFilter{Account: q.Get("account"), Code: q.Get("code")}
	var err error
	if v := q.Get("after"); v != "" {
		if f.AfterID, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.writeError(w, r, headroom.FieldErrorf("after", "%q is not an entry id", v))
			return
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 1000 {
			s.writeError(w, r, headroom.FieldErrorf("limit", "%q is not a number from 1 to 1000", v))
			return
		}
	}
	list, err := s.svc.ListAudit(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Entries []AuditEntry `json:"entries"`
	}{Entries: []AuditEntry{}}
	for _, e := range list {
		out.Entries = append(out.Entries, AuditEntry{ID: e.ID, Time: e.Time, Actor: e.Actor, AccountID: e.Account, Action: e.Action, Code: e.Code, Scope: e.Scope, Detail: e.Detail})
	}
	writeJSON(w, http.StatusOK, out)
}
