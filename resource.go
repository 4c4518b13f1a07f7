package headroom

import (
	"time"
)

// Resource is an entity of an API that Headroom emulates, such as an Amazon
// Connect instance, user, queue or contact. The store keeps resources so
// that they survive restarts together with the quota usage they hold: a
// resource is created in the same transaction as the reserve of its quota
// slot and deleted in the same transaction as the release (see
// Store.CreateResource and Store.DeleteResource).
//
// A store copies Data in and out, so callers may reuse their buffers; an
// empty Data comes back nil. Times come back in UTC, to the nanosecond.
type Resource struct {
	// Account is the owning account's id.
	Account string
	// Kind names the resource type, such as "connect:instance".
	Kind string
	// ID is unique within the account and kind.
	ID string
	// Parent is the owning resource's id, such as the instance of a user;
	// empty for top-level resources.
	Parent string
	// ParentKind, when set on a create, is the kind of Parent: the store
	// then creates the resource only if its parent exists at that moment
	// (ENOTFOUND otherwise), so that no child outlives a parent deleted by
	// DeleteResourceTree at the same time. Stores do not keep it.
	ParentKind string
	// Name, when set, is unique within the account, kind and parent.
	Name string
	// Data is the emulated API's own representation, as JSON.
	Data []byte
	// Created is when the resource was created; it orders listings.
	Created time.Time
	// Updated is when the resource last changed.
	Updated time.Time
	// Uses names the resources of the same account this one uses, such as
	// the parent group of a user hierarchy group: a store creates or updates
	// the resource only if they exist, and refuses to delete a resource
	// while another uses it (EINUSE), each check in the write's own
	// transaction. Stores return it in the order stored.
	Uses []ResourceRef
	// Version counts the resource's stored changes: 1 when created, one
	// more with each update. An update names the version it was read at,
	// so that two writers never both change what one of them read.
	Version int64
}

// ResourceRef names a resource of the same account.
type ResourceRef struct {
	Kind, ID string
}

// ResourceToken makes the creation of a resource idempotent, as Amazon
// Connect's ClientToken does: a retry with the same Key and Hash within the
// token's life creates nothing and answers the resource the first request
// created.
type ResourceToken struct {
	// Key is the token, unique per account; the caller may prefix it with
	// the operation so that each operation has its own tokens.
	Key string
	// Hash identifies what the request asked for; a reuse of Key with
	// another Hash is EIDEMPOTENCY.
	Hash string
	// Expires is when the token is forgotten: a request with the same Key
	// after it is a new request.
	Expires time.Time
}

// ResourceResult is a Store's answer to a resource write.
type ResourceResult struct {
	// Applied is false when the write's hold was refused for the limit.
	Applied bool
	// Used is the usage of the held quota after the write (or at the
	// refusal).
	Used int64
	// Replayed is true when the write's token, or its hold's idempotency
	// key, had been used before, and nothing changed.
	Replayed bool
	// ID is the resource written, or on a replayed token the resource the
	// first request created.
	ID string
	// Version is the resource's version after the write.
	Version int64
}

// ResourceFilter selects resources. Account and Kind are required.
type ResourceFilter struct {
	// Account is the account whose resources to list.
	Account string
	// Kind is the resource type to list.
	Kind string
	// Parent, when set, keeps the children of one resource.
	Parent string
	// AfterID pages: resources ordered by (Created, ID) after this ID. An
	// AfterID that names no resource of the account and kind is ignored,
	// as for ChangeRequestFilter.
	AfterID string
	// Limit caps the result; zero means 1000.
	Limit int
}
