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
	// Name, when set, is unique within the account, kind and parent.
	Name string
	// Data is the emulated API's own representation, as JSON.
	Data []byte
	// Created is when the resource was created; it orders listings.
	Created time.Time
	// Updated is when the resource last changed.
	Updated time.Time
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
