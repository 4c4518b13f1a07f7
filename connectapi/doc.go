// Package connectapi serves a subset of the Amazon Connect API (rest-json,
// SigV4 signing name "connect") with the quotas of Headroom's catalog
// enforced on the way: the official AWS SDKs pointed at Headroom create
// instances, users, queues and the other per-instance resources, and are
// refused, throttled and told the quota exactly as the seed says Amazon
// Connect does.
//
// Every operation first takes a token from its own bucket in the account (2/s
// with burst 5, or 5/s with burst 8 for the metric operations), shared by
// all of the account's instances and access keys. Resources are stored with
// the engine's CreateResource in the same store transaction as the reserve of their
// quota slot, so a failed create never holds a slot and a delete frees it.
//
// A claimed phone number is also a claim record keyed by the number itself,
// under an account id no real account can have, so that the store lets
// one instance of one account hold a number at a time (see numbers.go);
// tags on Connect ARNs are the engine's tags, keyed by the ARN.
//
// # Tables, not generated code
//
// The per-instance kinds differ little in what they store and much in the
// names on the wire (QueueId but HoursOfOperationId, AgentStatusARN but
// PromptARN, QueueSummaryList, queueTypes but QuickConnectTypes), so the
// operations that only store, page or read are driven by small tables:
// simpleSpecs (Create and Delete), listSpecs and describeSpecs
// (discovery.go), each entry naming the exact path, members and filter
// of the service model, with one generic handler per verb. Operations
// with rules of their own (CreateUser, routing profiles, contacts, the
// updates, the searches) are written by hand. Generating handlers from
// the Smithy model was weighed and not taken: it would bring a generator
// and the 1 MB model into the build to save some ninety lines of tables,
// and the model gives shapes but not the rules (quotas, references,
// defaults) that make up most of each hand-written handler. The SDK
// conformance tests check the wire of every operation against the
// official Go SDK, which is generated from that model.
//
// # References
//
// Every id a request names must be a resource of that instance, or
// ResourceNotFoundException comes back. A resource that names others
// records them in Resource.Uses (a user its security and routing profiles
// and hierarchy group, a queue its hours and quick connects, a routing
// profile its queues), so the store creates or updates it only while
// they exist and refuses to delete one while it is used
// (ResourceInUseException), each check in the write's own transaction.
//
// # Defaults
//
// A new instance comes with what Amazon Connect creates with one, so that
// an application finds it by name: Basic Hours, BasicQueue, Basic Routing
// Profile, the security profiles Admin, Agent, CallCenterManager and
// QualityAnalyst, the agent statuses Available and Offline, and the
// default flows. They hold no slot of their kinds' count quotas (the
// seed's numbers are what a caller may create), so deleting one frees
// none.
package connectapi
