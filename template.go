package headroom

import (
	"context"
	"fmt"
	"strings"
)

// DefaultRegion is the AWS region Headroom presents itself as.
const DefaultRegion = "us-east-1"

// PutTemplateEntry adds or replaces an increase in the organization's quota
// request template. Errors: EUNKNOWNQUOTA, ENOTADJUSTABLE, EINVALID for a
// service that is not the quota's, an empty region or a bad value.
func (e *Engine) PutTemplateEntry(ctx context.Context, t TemplateEntry, actor string) error {
	q, err := e.quota(t.Code)
	if err != nil {
		return err
	}
	if q.Service != t.Service {
		return FieldErrorf("service", "quota %s belongs to service %s, not %s", q.Code, q.Service, t.Service)
	}
	if !q.Adjustable {
		return &Error{Code: ENOTADJUSTABLE, Field: "code", Message: fmt.Sprintf("%s (%s) cannot be increased", q.Name, q.Code)}
	}
	if q.Kind == KindSet {
		return FieldErrorf("code", "%s (%s) is an allow-list; templates hold increases only", q.Name, q.Code)
	}
	if strings.TrimSpace(t.Region) == "" {
		return FieldErrorf("region", "is required")
	}
	if !finite(t.DesiredValue) || t.DesiredValue <= 0 || t.DesiredValue > MaxValue {
		return FieldErrorf("desired_value", "must be a number above 0 and at most %g, got %v", float64(MaxValue), t.DesiredValue)
	}
	audit := AuditEntry{Time: e.clock.Now().UTC(), Actor: actor, Action: "template.put", Code: t.Code,
		Detail: fmt.Sprintf("%s in %s: %g for new accounts", q.Name, t.Region, t.DesiredValue)}
	if err := e.store.PutTemplateEntry(ctx, t, audit); err != nil {
		return fmt.Errorf("put template entry: %w", err)
	}
	return nil
}

// DeleteTemplateEntry removes an entry of the template. Errors: ENOTFOUND.
func (e *Engine) DeleteTemplateEntry(ctx context.Context, service, code, region, actor string) error {
	audit := AuditEntry{Time: e.clock.Now().UTC(), Actor: actor, Action: "template.delete", Code: code,
		Detail: fmt.Sprintf("%s %s in %s removed from the template", service, code, region)}
	if err := e.store.DeleteTemplateEntry(ctx, service, code, region, audit); err != nil {
		return fmt.Errorf("delete template entry: %w", err)
	}
	return nil
}

// SetTemplateAssociated associates the template with the organization, so
// that accounts created afterwards get its increases, or dissociates it.
func (e *Engine) SetTemplateAssociated(ctx context.Context, on bool, actor string) error {
	action := "template.disassociate"
	if on {
		action = "template.associate"
	}
	audit := AuditEntry{Time: e.clock.Now().UTC(), Actor: actor, Action: action, Detail: action}
	if err := e.store.SetTemplateAssociated(ctx, on, audit); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}

// applyTemplate gives a new account the template's increases for the
// engine's region, as account-level overrides, when the template is
// associated.
func (e *Engine) applyTemplate(ctx context.Context, account, actor string) error {
	on, err := e.store.TemplateAssociated(ctx)
	if err != nil || !on {
		return err
	}
	entries, err := e.store.ListTemplateEntries(ctx)
	if err != nil {
		return err
	}
	for _, t := range entries {
		q, err := e.quota(t.Code)
		if err != nil || t.Region != e.region || !q.Adjustable || t.DesiredValue <= q.Value {
			continue // an entry the catalog no longer supports, or another region's
		}
		now := e.clock.Now().UTC()
		o := Override{Account: account, Code: t.Code, Scope: ScopeAccount, Value: t.DesiredValue, UpdatedBy: actor, UpdatedAt: now}
		audit := AuditEntry{Time: now, Actor: actor, Account: account, Action: "template.apply", Code: t.Code, Scope: ScopeAccount,
			Detail: fmt.Sprintf("%s: %g (was %g, default) from the quota request template", q.Name, t.DesiredValue, q.Value)}
		if err := e.store.PutOverride(ctx, o, audit); err != nil {
			return fmt.Errorf("apply template to %s: %w", account, err)
		}
	}
	return nil
}

// Region returns the AWS region the engine presents itself as.
func (e *Engine) Region() string { return e.region }
