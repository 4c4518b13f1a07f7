package headroom

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// DefaultAutoApproveFactor bounds automatic approvals: up to this many times
// a quota's default value.
const DefaultAutoApproveFactor = 2

// AutoApproval is the policy that approves change requests without review.
// The zero value approves nothing, so every request goes to review.
type AutoApproval struct {
	// Codes lists the quotas whose requests may be approved automatically.
	Codes []string
	// Factor bounds an automatic increase at Factor × the quota's catalog
	// default; zero means DefaultAutoApproveFactor. Allow-list changes of a
	// listed quota are approved whatever they ask.
	Factor float64
}

// Validate returns an *Error of code EINVALID naming the bad field.
func (a *AutoApproval) Validate(c *Catalog) error {
	if !finite(a.Factor) || a.Factor < 0 {
		return FieldErrorf("AutoApproval.Factor", "must be a finite number of at least zero, got %v", a.Factor)
	}
	for _, code := range a.Codes {
		q, err := c.Quota(code)
		if err != nil {
			return FieldErrorf("AutoApproval.Codes", "no quota with code %q", code)
		}
		if !q.Adjustable {
			return FieldErrorf("AutoApproval.Codes", "%s (%s) cannot be increased", q.Name, q.Code)
		}
	}
	return nil
}

func (a *AutoApproval) approves(q *Quota, desired float64) bool {
	listed := false
	for _, c := range a.Codes {
		if c == q.Code {
			listed = true
			break
		}
	}
	if !listed {
		return false
	}
	if q.Kind == KindSet {
		return true
	}
	f := a.Factor
	if f == 0 {
		f = DefaultAutoApproveFactor
	}
	return desired <= f*q.Value
}

// ChangeInput asks for a change to an account's quotas.
type ChangeInput struct {
	// Type defaults to RequestIncrease.
	Type    RequestType
	Account string
	// Code is the quota; for allow-list requests it defaults to the outbound
	// country allow-list, and porting requests ignore it.
	Code string
	// Scope is the context: ScopeAccount (or empty) for the whole account, or
	// a resource such as "instance/i-1".
	Scope        string
	DesiredValue float64
	// Allow and Deny are the entries an allow-list request changes; a dial
	// prefix may be given without its "+".
	Allow []string
	Deny  []string
	// Number is the phone number a porting request moves.
	Number             string
	Details            string
	SupportCaseAllowed bool
	Requester          string
}

// PortingCode is the code porting requests are filed under: the phone
// numbers quota, whose form the seed routes porting through.
const PortingCode = "L-8F812903"

// RequestChange takes a change request through intake. It checks the request
// (EUNKNOWNQUOTA, ENOTADJUSTABLE for a quota that cannot be increased,
// EINVALID for a value not above the current one or otherwise bad input,
// ECONFLICT for a second open request for the same quota and context,
// EQUOTAEXCEEDED beyond MaxOpenRequests), stores it PENDING, then decides
// what happens next: the auto-approval policy approves it and applies the
// change at once; otherwise it goes to review (CASE_OPENED), or, when the
// requester did not allow a support case, ends NOT_APPROVED. Every step is in
// the audit log. It returns the request as it stands after intake.
func (e *Engine) RequestChange(ctx context.Context, in ChangeInput) (ChangeRequest, error) {
	r, q, err := e.intake(ctx, &in)
	if err != nil {
		return ChangeRequest{}, err
	}
	audit := AuditEntry{Time: r.Created, Actor: r.Requester, Account: r.Account, Action: "request.create", Code: r.Code, Scope: r.Scope,
		Detail: fmt.Sprintf("request %s (%s): %s", r.ID, r.Type, describeChange(&r, q))}
	if err := e.store.CreateChangeRequest(ctx, r, MaxOpenRequests, audit); err != nil {
		return ChangeRequest{}, fmt.Errorf("request change: %w", err)
	}
	switch {
	case r.Type != RequestPorting && e.autoApproval.approves(q, r.DesiredValue):
		return e.decide(ctx, r, StatusApproved, r.DesiredValue, "approved automatically by policy", "policy")
	case r.SupportCaseAllowed:
		return e.transition(ctx, r, Transition{To: StatusCaseOpened, Actor: "policy", Note: "needs review", CaseID: newCaseID()}, nil, "")
	default:
		return e.transition(ctx, r, Transition{To: StatusNotApproved, Actor: "policy",
			Note: "needs review, and the requester did not allow a support case"}, nil, "")
	}
}

// intake validates a request and builds it, PENDING.
func (e *Engine) intake(ctx context.Context, in *ChangeInput) (ChangeRequest, *Quota, error) {
	if in.Type == "" {
		in.Type = RequestIncrease
	}
	if in.Scope == "" {
		in.Scope = ScopeAccount
	}
	now := e.clock.Now().UTC()
	r := ChangeRequest{ID: newRequestID(), Type: in.Type, Account: in.Account, Code: in.Code, Scope: in.Scope,
		DesiredValue: in.DesiredValue, Details: in.Details, Status: StatusPending, SupportCaseAllowed: in.SupportCaseAllowed,
		Requester: in.Requester, Created: now, LastUpdated: now}
	acct, err := e.store.FindAccount(ctx, in.Account)
	if err != nil {
		return r, nil, err
	}
	switch in.Type {
	case RequestPorting:
		n, err := e.parseNumber(in.Number)
		num := n.E164
		if err != nil {
			msg := err.Error()
			var he *Error
			if errors.As(err, &he) {
				msg = he.Message
			}
			return r, nil, FieldErrorf("number", "%s", msg)
		}
		if !strings.HasPrefix(num, "+1") || len(num) != 12 {
			return r, nil, FieldErrorf("number", "%s is not a US number (+1 and ten digits); only US numbers can be ported", num)
		}
		r.Code, r.Scope, r.Details = PortingCode, "number/"+num, strings.TrimSpace("port "+num+" "+in.Details)
		q, err := e.quota(PortingCode)
		if err != nil {
			return r, nil, err
		}
		return r, q, checkAvailable(&acct, q, "")
	case RequestAllowList:
		if r.Code == "" {
			r.Code = CodeOutboundCountries
		}
	case RequestIncrease:
	default:
		return r, nil, FieldErrorf("type", "unknown request type %q (want increase, allow-list or porting)", in.Type)
	}
	q, err := e.quota(r.Code)
	if err != nil {
		return r, nil, err
	}
	if err := checkAvailable(&acct, q, ""); err != nil {
		return r, nil, err
	}
	if !q.Adjustable {
		return r, nil, &Error{Code: ENOTADJUSTABLE, Field: "code", Message: fmt.Sprintf("%s (%s) cannot be increased", q.Name, q.Code)}
	}
	if err := q.Scope.Match(r.Scope, true); err != nil {
		return r, nil, err
	}
	current, err := e.resolve(ctx, &acct, q, r.Scope)
	if err != nil {
		return r, nil, err
	}
	if q.Kind == KindSet {
		if in.Type != RequestAllowList {
			return r, nil, FieldErrorf("type", "%s (%s) is an allow-list; change it with an allow-list request", q.Name, q.Code)
		}
		r.Allow, r.Deny = normalizeEntries(q, in.Allow), normalizeEntries(q, in.Deny)
		if len(r.Allow)+len(r.Deny) == 0 {
			return r, nil, FieldErrorf("allow", "an allow-list request needs entries to allow or deny")
		}
		if err := checkSetEntries("allow", q.Match, r.Allow); err != nil {
			return r, nil, err
		}
		if err := checkSetEntries("deny", q.Match, r.Deny); err != nil {
			return r, nil, err
		}
		r.DesiredValue = 0
		return r, q, nil
	}
	if in.Type != RequestIncrease {
		return r, nil, FieldErrorf("type", "%s (%s) is not an allow-list; ask for an increase", q.Name, q.Code)
	}
	if !finite(in.DesiredValue) || in.DesiredValue <= 0 || in.DesiredValue > MaxValue {
		return r, nil, FieldErrorf("desired_value", "must be a number above 0 and at most %g, got %v", float64(MaxValue), in.DesiredValue)
	}
	if in.DesiredValue <= current.Value {
		return r, nil, FieldErrorf("desired_value", "%g is not above the current value %g of %s in %s",
			in.DesiredValue, current.Value, q.Name, DescribeScope(in.Account, r.Scope))
	}
	return r, q, nil
}

// normalizeEntries puts the "+" back on dial prefixes given without it.
func normalizeEntries(q *Quota, entries []string) []string {
	var out []string
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if q.Match == MatchDialPrefix && !strings.HasPrefix(e, "+") {
			e = "+" + e
		}
		out = append(out, e)
	}
	return out
}

// RequestDecision is an operator's decision on an open change request.
type RequestDecision struct {
	// To is StatusApproved, StatusDenied or StatusCaseClosed.
	To RequestStatus
	// Value, for an approved increase, grants less than was asked; zero
	// grants the desired value.
	Value float64
	// Reason is required for a denial.
	Reason string
}

// DecideRequest approves, denies or closes an open change request as the
// work of actor. Approval applies the change at once: the next decision sees
// the new value. Errors: ENOTFOUND, ECONFLICT if the request is no longer
// open, EINVALID for a bad value or a denial without a reason.
func (e *Engine) DecideRequest(ctx context.Context, id string, d RequestDecision, actor string) (ChangeRequest, error) {
	r, err := e.store.FindChangeRequest(ctx, id)
	if err != nil {
		return ChangeRequest{}, err
	}
	if !r.Status.Open() {
		return ChangeRequest{}, Errorf(ECONFLICT, "change request %s is already %s", r.ID, r.Status)
	}
	switch d.To {
	case StatusApproved:
		value := r.DesiredValue
		if d.Value != 0 {
			if r.Type != RequestIncrease {
				return ChangeRequest{}, FieldErrorf("value", "only increase requests are granted a value")
			}
			if !finite(d.Value) || d.Value <= 0 || d.Value > r.DesiredValue {
				return ChangeRequest{}, FieldErrorf("value", "must be above 0 and at most the %g asked for, got %v", r.DesiredValue, d.Value)
			}
			value = d.Value
		}
		return e.decide(ctx, r, StatusApproved, value, d.Reason, actor)
	case StatusDenied:
		if strings.TrimSpace(d.Reason) == "" {
			return ChangeRequest{}, FieldErrorf("reason", "a denial needs a reason for the requester")
		}
		return e.decide(ctx, r, StatusDenied, 0, d.Reason, actor)
	case StatusCaseClosed:
		return e.decide(ctx, r, StatusCaseClosed, 0, d.Reason, actor)
	}
	return ChangeRequest{}, FieldErrorf("status", "a decision is APPROVED, DENIED or CASE_CLOSED, not %q", d.To)
}

// decide moves an open request to a final status, applying an approval.
func (e *Engine) decide(ctx context.Context, r ChangeRequest, to RequestStatus, value float64, note, actor string) (ChangeRequest, error) {
	t := Transition{To: to, Actor: actor, Note: note}
	if to != StatusApproved || r.Type == RequestPorting {
		return e.transition(ctx, r, t, nil, "")
	}
	q, err := e.quota(r.Code)
	if err != nil {
		return ChangeRequest{}, err
	}
	acct, err := e.store.FindAccount(ctx, r.Account)
	if err != nil {
		return ChangeRequest{}, err
	}
	before, err := e.resolve(ctx, &acct, q, r.Scope)
	if err != nil {
		return ChangeRequest{}, err
	}
	o := Override{Account: r.Account, Code: r.Code, Scope: r.Scope, Value: value, UpdatedBy: actor, UpdatedAt: e.clock.Now().UTC()}
	var change string
	if q.Kind == KindSet {
		// Merge with the override already in force at this scope, if any.
		ovs, err := e.store.FindOverrides(ctx, r.Account, r.Code)
		if err != nil {
			return ChangeRequest{}, err
		}
		entries := map[string]bool{}
		for _, x := range ovs {
			if x.Scope == r.Scope {
				for _, s := range x.Allow {
					entries[s] = true
				}
				for _, s := range x.Deny {
					entries[s] = false
				}
			}
		}
		for _, s := range r.Allow {
			entries[s] = true
		}
		for _, s := range r.Deny {
			entries[s] = false
		}
		o.Value = 0
		for s, ok := range entries {
			if ok {
				o.Allow = append(o.Allow, s)
			} else {
				o.Deny = append(o.Deny, s)
			}
		}
		sort.Strings(o.Allow)
		sort.Strings(o.Deny)
		change = fmt.Sprintf("%s in %s: %s → allow %v, deny %v", q.Name, DescribeScope(r.Account, r.Scope), describeEntries(before.Entries), r.Allow, r.Deny)
	} else {
		t.GrantedValue = value
		change = fmt.Sprintf("%s in %s: %g → %g", q.Name, DescribeScope(r.Account, r.Scope), before.Value, value)
	}
	return e.transition(ctx, r, t, &o, change)
}

// transition records one status change of r, with its audit entry.
func (e *Engine) transition(ctx context.Context, r ChangeRequest, t Transition, apply *Override, change string) (ChangeRequest, error) {
	t.RequestID, t.From, t.At = r.ID, r.Status, e.clock.Now().UTC()
	detail := fmt.Sprintf("request %s: %s → %s", r.ID, r.Status, t.To)
	if change != "" {
		detail += "; " + change
	}
	if t.Note != "" {
		detail += " (" + t.Note + ")"
	}
	audit := AuditEntry{Time: t.At, Actor: t.Actor, Account: r.Account, Action: "request." + strings.ToLower(string(t.To)), Code: r.Code, Scope: r.Scope, Detail: detail}
	out, err := e.store.TransitionChangeRequest(ctx, t, apply, audit)
	if err != nil {
		return ChangeRequest{}, fmt.Errorf("request %s: %w", r.ID, err)
	}
	return out, nil
}

func describeChange(r *ChangeRequest, q *Quota) string {
	switch r.Type {
	case RequestPorting:
		return r.Details
	case RequestAllowList:
		return fmt.Sprintf("%s in %s: allow %v, deny %v", q.Name, DescribeScope(r.Account, r.Scope), r.Allow, r.Deny)
	}
	return fmt.Sprintf("%s in %s to %g", q.Name, DescribeScope(r.Account, r.Scope), r.DesiredValue)
}

// newRequestID returns 32 random hex digits, as AWS request ids look.
func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newCaseID returns a support case id.
func newCaseID() string {
	b := make([]byte, 5)
	rand.Read(b)
	return "case-" + hex.EncodeToString(b)
}
