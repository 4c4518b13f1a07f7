package headroom

import (
	"context"
	"fmt"
)

// Codes of the default catalog's quotas that the engine's Amazon Connect
// helpers use. The catalog documents every code (docs/catalog.md).
const (
	CodeInstances           = "L-AA17A6B9"
	CodeUsers               = "L-9A46857E"
	CodeConcurrentCalls     = "L-12AB7C57"
	CodeConcurrentChats     = "L-D4BA6F6E"
	CodeActiveTasks         = "L-60553137"
	CodeQueuesPerProfile    = "L-516BC0EB"
	CodeConnectAPIRate      = "HR-CONNECT-API-RATE"
	CodeOutboundCountries   = "HR-CONNECT-OUTBOUND-COUNTRIES"
	CodeAttachmentTypes     = "HR-CONNECT-ATTACH-TYPES"
	CodeAttachmentSize      = "HR-CONNECT-ATTACH-SIZE"
	CodeAttachmentsPerChat  = "HR-CONNECT-ATTACH-PER-CONVERSATION"
	CodeChatMessageChars    = "HR-CONNECT-CHAT-MESSAGE-CHARS"
	CodeChatDuration        = "HR-CONNECT-CHAT-DURATION"
	CodeTaskDuration        = "HR-CONNECT-TASK-DURATION"
	CodeTaskTransfers       = "HR-CONNECT-TASK-TRANSFERS"
	CodeLinkedTasks         = "HR-CONNECT-LINKED-TASKS"
	CodeCTRRetention        = "HR-CONNECT-CTR-RETENTION"
	CodeCTRAttributesSize   = "HR-CONNECT-CTR-ATTRIBUTES-SIZE"
	CodeListenersPerCall    = "HR-CONNECT-LISTENERS-PER-CALL"
	CodeChatsPerAgent       = "HR-CONNECT-CHATS-PER-AGENT"
	CodeWebsocketsPerParty  = "HR-CONNECT-WEBSOCKETS-PER-PARTICIPANT"
	StateCallbackWaiting    = "callback-waiting"
	connectAttachmentAction = "attachment"
)

// CheckDestination checks an outbound number against a country
// allow-list: the list of instance instanceID, or, when instanceID is "",
// the account's (the list a new instance gets). The number is parsed by the
// engine's NumberParser and normalised to E.164 first. By default +1 and
// +44 are allowed but not UK mobile numbers (+447), changed by overrides
// in either direction for the account or one instance. A number off the
// list gets an *Error of code ENOTALLOWED; an invalid number gets EINVALID.
func (e *Engine) CheckDestination(ctx context.Context, account, instanceID, number string) (Decision, error) {
	scope := ScopeAccount
	if instanceID != "" {
		scope = "instance/" + instanceID
	}
	return e.Do(ctx, Request{Op: OpCheck, Account: account, Code: CodeOutboundCountries, Scope: scope, Value: number})
}

// AddAttachment admits one attachment to a conversation (a chat contact):
// its file type (by extension, case-insensitive), its size, and the count of
// attachments in the conversation, in that order. Only an attachment that
// passes every check is counted; idempotencyKey makes a retry count once.
// It returns the first check's denial or error.
func (e *Engine) AddAttachment(ctx context.Context, account, contactID, fileName string, size int64, idempotencyKey string) (Decision, error) {
	if d, err := e.Do(ctx, Request{Op: OpCheck, Account: account, Code: CodeAttachmentTypes, Value: fileName}); err != nil {
		return d, fmt.Errorf("%s %q: %w", connectAttachmentAction, fileName, err)
	}
	if d, err := e.Do(ctx, Request{Op: OpCheck, Account: account, Code: CodeAttachmentSize, Size: size}); err != nil {
		return d, fmt.Errorf("%s %q: %w", connectAttachmentAction, fileName, err)
	}
	return e.Do(ctx, Request{Op: OpIncrement, Account: account, Code: CodeAttachmentsPerChat,
		Scope: "contact/" + contactID, Amount: 1, IdempotencyKey: idempotencyKey})
}

// AISPLRule is the seed's rule for accounts that contract through AISPL,
// quoted in every refusal it causes.
const AISPLRule = "Amazon Connect is not available to customers in India using Amazon Web Services through Amazon Internet Services Pvt. Ltd (AISPL)."

// connectServices are the catalog services that are part of Amazon Connect:
// the service itself and Amazon Connect Customer Profiles. The AISPL rule
// covers them all.
var connectServices = map[string]bool{"connect": true, "profile": true}

// IsConnectService reports whether service is part of Amazon Connect, which
// an AISPL account may not use at all.
func IsConnectService(service string) bool { return connectServices[service] }

// checkAvailable refuses, with an *Error of code ENOTAVAILABLE, what an
// account may not do with a quota: anything at all on an Amazon Connect
// quota for an AISPL account (the seed's AISPL rule, applied here once for
// every transport: enforcement, resource writes, simulated traffic and
// change requests), and taking the resource of a quota that lists the
// account's partner in UnavailableTo. op is "" for a change request.
func checkAvailable(a *Account, q *Quota, op Op) error {
	if a.Partner == PartnerAISPL && IsConnectService(q.Service) {
		return &Error{Code: ENOTAVAILABLE, Message: fmt.Sprintf("%s Account %s contracts through AISPL, so %s (%s) cannot be used or changed",
			AISPLRule, a.ID, q.Name, q.Code)}
	}
	if (op == OpReserve || op == OpIncrement || op == OpAcquire) && q.IsUnavailableTo(a.Partner) {
		return &Error{Code: ENOTAVAILABLE, Message: fmt.Sprintf("%s (account %s)", q.Unavailable, a.ID)}
	}
	return nil
}

// CheckAvailable returns an *Error of code ENOTAVAILABLE when account may
// not use the quota code's service at all (the AISPL rule), for a
// transport's action that takes no quota of its own, such as simulated
// traffic. Errors: EUNKNOWNQUOTA, EUNKNOWNACCOUNT, ENOTAVAILABLE.
func (e *Engine) CheckAvailable(ctx context.Context, account, code string) error {
	q, err := e.quota(code)
	if err != nil {
		return err
	}
	a, err := e.store.FindAccount(ctx, account)
	if err != nil {
		return err
	}
	return checkAvailable(&a, q, "")
}
