package headroom

import "fmt"

// The errors every Store returns for the same failures, so that the
// message a caller sees is the same on every backend. Each returns an
// *Error.

// CheckResource returns the EINVALID error for a resource without an
// account, kind or id, and nil for one that has them. Every Store checks a
// new resource with it.
func CheckResource(r Resource) error {
	switch {
	case r.Account == "":
		return FieldErrorf("Account", "a resource needs an account")
	case r.Kind == "":
		return FieldErrorf("Kind", "a resource needs a kind")
	case r.ID == "":
		return FieldErrorf("ID", "a resource needs an id")
	}
	return nil
}

// CheckResourceFilter returns the EINVALID error for a filter without an
// account or kind, and nil for one that has them.
func CheckResourceFilter(f ResourceFilter) error {
	switch {
	case f.Account == "":
		return FieldErrorf("Account", "listing resources needs an account")
	case f.Kind == "":
		return FieldErrorf("Kind", "listing resources needs a kind")
	}
	return nil
}

// ResourceExists is the ECONFLICT error for creating a resource whose id is
// taken.
func ResourceExists(r Resource) error {
	return &Error{Code: ECONFLICT, Field: "ID", Message: fmt.Sprintf(
		"%s %s already exists in account %s", r.Kind, r.ID, r.Account)}
}

// ResourceNameTaken is the ECONFLICT error for giving a resource a name
// that the resource id already has within the same account, kind and
// parent.
func ResourceNameTaken(r Resource, id string) error {
	where := "account " + r.Account
	if r.Parent != "" {
		where = r.Parent + " in " + where
	}
	return &Error{Code: ECONFLICT, Field: "Name", Message: fmt.Sprintf(
		"the name %q is taken by %s %s under %s", r.Name, r.Kind, id, where)}
}

// ResourceNotFound is the ENOTFOUND error for a resource that does not
// exist.
func ResourceNotFound(account, kind, id string) error {
	return Errorf(ENOTFOUND, "%s %s does not exist in account %s", kind, id, account)
}

// ResourceInUse is the EINUSE error for deleting a resource that another
// one uses.
func ResourceInUse(kind, id string, by ResourceRef) error {
	return Errorf(EINUSE, "%s %s is used by %s %s; remove that use first", kind, id, by.Kind, by.ID)
}

// ResourceChanged is the ESTALE error for an update whose version is not the
// stored one: another writer changed the resource since it was read.
func ResourceChanged(r Resource, stored int64) error {
	return Errorf(ESTALE, "%s %s changed since it was read (version %d, now %d); read it again and retry",
		r.Kind, r.ID, r.Version, stored)
}

// TokenReused is the EIDEMPOTENCY error for a resource token used before
// for a request with other parameters.
func TokenReused(t ResourceToken) error {
	return &Error{Code: EIDEMPOTENCY, Field: "token", Message: fmt.Sprintf(
		"token %q was already used for a request with other parameters; use a new token for a new request", clipText(t.Key))}
}

// TooManyTags is the EQUOTAEXCEEDED error for a tag change that would leave
// a resource with more than max tags.
func TooManyTags(resource string, max, have, would int) error {
	return Errorf(EQUOTAEXCEEDED, "a resource may carry at most %d tags; %s has %d and this request would make it %d",
		max, resource, have, would)
}

// LeaseNotFound is the ENOTFOUND error for renewing a lease that is gone.
func LeaseNotFound(c LeaseChange) error {
	return &Error{Code: ENOTFOUND, Field: "lease_id", Message: "lease " + c.LeaseID + " of " + c.Key.Code +
		" in " + DescribeScope(c.Key.Account, c.Key.Scope) + " does not exist or has expired"}
}

// IdempotencyMismatch is the ECONFLICT error for an idempotency key reused
// for a different change of usage.
func IdempotencyMismatch(key, op string, k UsageKey, amount int64) error {
	return &Error{Code: ECONFLICT, Field: "idempotency_key", Message: fmt.Sprintf(
		"key %q was already used to %s %d of %s in %s", key, op, amount, k.Code, DescribeScope(k.Account, k.Scope))}
}

// OpenRequestExists is the ECONFLICT error for a second open request for
// the same quota and scope.
func OpenRequestExists(open ChangeRequest) error {
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf(
		"change request %s for %s in %s is still %s", open.ID, open.Code, DescribeScope(open.Account, open.Scope), open.Status)}
}

// TooManyOpenRequests is the EQUOTAEXCEEDED error for an account at its
// limit of open change requests.
func TooManyOpenRequests(account string, max int) error {
	return &Error{Code: EQUOTAEXCEEDED, Message: fmt.Sprintf(
		"account %s already has %d open change requests, the most allowed", account, max)}
}

// StaleTransition is the ECONFLICT error for a transition from a status the
// request has already left.
func StaleTransition(r ChangeRequest, t Transition) error {
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf(
		"change request %s is %s, not %s; it cannot move to %s", r.ID, r.Status, t.From, t.To)}
}

// clipText shortens s for a message.
func clipText(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
