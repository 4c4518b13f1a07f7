package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/headroomhq/headroom"
)

// RequestCreate is the body of POST /v1/requests.
type RequestCreate struct {
	// Type is increase (default), outbound-countries (an allow-list change)
	// or port-number.
	Type               string   `json:"type,omitempty"`
	AccountID          string   `json:"account_id"`
	Code               string   `json:"code,omitempty"`
	Scope              string   `json:"scope,omitempty"`
	DesiredValue       float64  `json:"desired_value,omitempty"`
	Allow              []string `json:"allow,omitempty"`
	Deny               []string `json:"deny,omitempty"`
	Number             string   `json:"number,omitempty"`
	Details            string   `json:"details,omitempty"`
	SupportCaseAllowed *bool    `json:"support_case_allowed,omitempty"`
}

// RequestDecide is the body of POST /v1/requests/{id}/approve, /deny and /close.
type RequestDecide struct {
	Value  float64 `json:"value,omitempty"`
	Reason string  `json:"reason,omitempty"`
}

// ChangeRequest is the wire form of a change request.
type ChangeRequest struct {
	ID                 string       `json:"id"`
	Type               string       `json:"type"`
	AccountID          string       `json:"account_id"`
	Code               string       `json:"code"`
	Scope              string       `json:"scope"`
	DesiredValue       float64      `json:"desired_value,omitempty"`
	GrantedValue       float64      `json:"granted_value,omitempty"`
	Allow              []string     `json:"allow,omitempty"`
	Deny               []string     `json:"deny,omitempty"`
	Details            string       `json:"details,omitempty"`
	Status             string       `json:"status"`
	CaseID             string       `json:"case_id,omitempty"`
	SupportCaseAllowed bool         `json:"support_case_allowed"`
	Requester          string       `json:"requester"`
	Created            time.Time    `json:"created"`
	LastUpdated        time.Time    `json:"last_updated"`
	Transitions        []Transition `json:"transitions,omitempty"`
}

// Transition is the wire form of one status change.
type Transition struct {
	From  string    `json:"from,omitempty"`
	To    string    `json:"to"`
	Actor string    `json:"actor"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

// Request types as the CLI and native API name them.
var requestTypes = map[string]headroom.RequestType{
	"": headroom.RequestIncrease, "increase": headroom.RequestIncrease,
	"outbound-countries": headroom.RequestAllowList, "allow-list": headroom.RequestAllowList,
	"port-number": headroom.RequestPorting, "porting": headroom.RequestPorting,
}

func toChangeRequest(r headroom.ChangeRequest) ChangeRequest {
	return ChangeRequest{ID: r.ID, Type: string(r.Type), AccountID: r.Account, Code: r.Code, Scope: r.Scope, DesiredValue: r.DesiredValue,
		GrantedValue: r.GrantedValue, Allow: r.Allow, Deny: r.Deny, Details: r.Details, Status: string(r.Status), CaseID: r.CaseID,
		SupportCaseAllowed: r.SupportCaseAllowed, Requester: r.Requester, Created: r.Created, LastUpdated: r.LastUpdated}
}

func (s *Server) handleCreateRequest(w http.ResponseWriter, r *http.Request) {
	var in RequestCreate
	if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	typ, ok := requestTypes[in.Type]
	if !ok {
		s.writeError(w, r, headroom.FieldErrorf("type", "unknown request type %q (want increase, outbound-countries or port-number)", in.Type))
		return
	}
	if !principalOf(r.Context()).mayAct(in.AccountID) {
		s.writeError(w, r, headroom.Errorf(headroom.EFORBIDDEN, "this token may not act for account %s", in.AccountID))
		return
	}
	support := true
	if in.SupportCaseAllowed != nil {
		support = *in.SupportCaseAllowed
	}
	cr, err := s.svc.RequestChange(r.Context(), headroom.ChangeInput{Type: typ, Account: in.AccountID, Code: in.Code, Scope: in.Scope,
		DesiredValue: in.DesiredValue, Allow: in.Allow, Deny: in.Deny, Number: in.Number, Details: in.Details,
		SupportCaseAllowed: support, Requester: actor(r)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toChangeRequest(cr))
}

func (s *Server) handleListRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := headroom.ChangeRequestFilter{Account: q.Get("account"), Code: q.Get("code"), Status: headroom.RequestStatus(q.Get("status"))}
	if f.Status != "" && !f.Status.Valid() {
		s.writeError(w, r, headroom.FieldErrorf("status", "unknown status %q (want PENDING, CASE_OPENED, APPROVED, DENIED, CASE_CLOSED, NOT_APPROVED or INVALID_REQUEST)", f.Status))
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
	f.AfterID = q.Get("after")
	list, err := s.svc.ListChangeRequests(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Requests []ChangeRequest `json:"requests"`
	}{Requests: []ChangeRequest{}}
	for _, cr := range list {
		out.Requests = append(out.Requests, toChangeRequest(cr))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetRequest(w http.ResponseWriter, r *http.Request) {
	cr, err := s.svc.FindChangeRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	trs, err := s.svc.ListTransitions(r.Context(), cr.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := toChangeRequest(cr)
	for _, t := range trs {
		out.Transitions = append(out.Transitions, Transition{From: string(t.From), To: string(t.To), Actor: t.Actor, At: t.At, Note: t.Note})
	}
	writeJSON(w, http.StatusOK, out)
}

// handleDecide returns the handler of one decision: approve, deny or close.
func (s *Server) handleDecide(to headroom.RequestStatus) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in RequestDecide
		if r.ContentLength != 0 {
			if err := decodeBody(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		cr, err := s.svc.DecideRequest(r.Context(), r.PathValue("id"), headroom.RequestDecision{To: to, Value: in.Value, Reason: in.Reason}, actor(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toChangeRequest(cr))
	}
}
