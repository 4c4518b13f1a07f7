package connectapi

// routes lists every operation with Amazon Connect's exact method and path
// (from the service model) and the error names its model lists. It is
// built here, once.
var routes = buildRoutes()

// r is a route whose error names are the defaults but for the quota and
// bad-input errors.
func r(method, path, op, quotaErr, badInput string, fn func(h *Handler, c *call) (any, error)) route {
	return route{method: method, path: path, op: op, quotaErr: quotaErr, badInput: badInput, fn: fn}
}

// conflicts names the route's ECONFLICT error.
func (rt route) conflicts(name string) route { rt.conflictErr = name; return rt }

// idempotent says the route's model lists IdempotencyException for a
// ClientToken reused with other parameters.
func (rt route) idempotent() route { rt.tokenErr = errIdempotency; return rt }

func buildRoutes() []route {
	rs := []route{
		// An alias taken is InvalidRequestException.
		r("PUT", "/instance", "CreateInstance", errServiceQuota, errInvalidRequest, createInstance).conflicts(errInvalidRequest),
		r("GET", "/instance/{InstanceId}", "DescribeInstance", errServiceQuota, errInvalidRequest, describeInstance),
		r("GET", "/instance", "ListInstances", errServiceQuota, errInvalidRequest, listInstances),
		r("DELETE", "/instance/{InstanceId}", "DeleteInstance", errServiceQuota, errInvalidRequest, deleteInstance),

		r("PUT", "/users/{InstanceId}", "CreateUser", errLimitExceeded, errInvalidParameter, createUser),
		r("GET", "/users/{InstanceId}/{UserId}", "DescribeUser", errLimitExceeded, errInvalidParameter, describeUser),
		r("GET", "/users-summary/{InstanceId}", "ListUsers", errLimitExceeded, errInvalidParameter, listUsers),
		r("DELETE", "/users/{InstanceId}/{UserId}", "DeleteUser", errLimitExceeded, errInvalidParameter, deleteUser),

		r("PUT", "/queues/{InstanceId}", "CreateQueue", errLimitExceeded, errInvalidParameter, createQueue),
		r("DELETE", "/queues/{InstanceId}/{QueueId}", "DeleteQueue", errLimitExceeded, errInvalidParameter, deleteQueue),
		r("POST", "/queues/{InstanceId}/{QueueId}/max-contacts", "UpdateQueueMaxContacts", errLimitExceeded, errInvalidParameter, updateQueueMaxContacts),

		r("PUT", "/routing-profiles/{InstanceId}", "CreateRoutingProfile", errLimitExceeded, errInvalidParameter, createRoutingProfile),
		r("POST", "/routing-profiles/{InstanceId}/{RoutingProfileId}/associate-queues", "AssociateRoutingProfileQueues", errInvalidRequest, errInvalidParameter, associateRoutingProfileQueues),
		r("POST", "/routing-profiles/{InstanceId}/{RoutingProfileId}/disassociate-queues", "DisassociateRoutingProfileQueues", errInvalidRequest, errInvalidParameter, disassociateRoutingProfileQueues),

		r("PUT", "/contact/outbound-voice", "StartOutboundVoiceContact", errLimitExceeded, errInvalidParameter, startOutboundVoiceContact),
		r("PUT", "/contact/chat", "StartChatContact", errLimitExceeded, errInvalidParameter, startChatContact),
		r("PUT", "/contact/task", "StartTaskContact", errServiceQuota, errInvalidParameter, startTaskContact),
		r("POST", "/contact/transfer", "TransferContact", errServiceQuota, errInvalidRequest, transferContact).idempotent(),
		r("POST", "/contact/stop", "StopContact", errInvalidRequest, errInvalidParameter, stopContact),
		r("GET", "/contacts/{InstanceId}/{ContactId}", "DescribeContact", errInvalidRequest, errInvalidParameter, describeContact),
		r("POST", "/contact/attributes", "UpdateContactAttributes", errInvalidParameter, errInvalidParameter, updateContactAttributes),
		r("POST", "/contact/monitor", "MonitorContact", errServiceQuota, errInvalidRequest, monitorContact).idempotent(),
	}
	for _, s := range simpleSpecs {
		rs = append(rs, r("PUT", "/"+s.seg+"/{InstanceId}", s.op, s.quotaErr, errInvalidParameter,
			func(h *Handler, c *call) (any, error) { return h.createSimple(c, s) }))
		if s.deleteOp != "" {
			rs = append(rs, r("DELETE", "/"+s.seg+"/{InstanceId}/{"+s.idParam+"}", s.deleteOp, errInvalidRequest, errInvalidParameter,
				func(h *Handler, c *call) (any, error) { return h.deleteSimple(c, s) }))
		}
	}
	rs = append(rs, discoveryRoutes()...)
	return append(rs,
		r("PUT", "/instance/{InstanceId}/lambda-function", "AssociateLambdaFunction", errServiceQuota, errInvalidParameter, associateLambdaFunction).conflicts(errConflict),
		r("DELETE", "/instance/{InstanceId}/lambda-function", "DisassociateLambdaFunction", errServiceQuota, errInvalidParameter, disassociateLambdaFunction),
		r("PUT", "/instance/{InstanceId}/bot", "AssociateBot", errServiceQuota, errInvalidRequest, associateBot).conflicts(errConflict),
		r("POST", "/instance/{InstanceId}/bot", "DisassociateBot", errServiceQuota, errInvalidRequest, disassociateBot),

		r("POST", "/metrics/current/{InstanceId}", "GetCurrentMetricData", errInvalidRequest, errInvalidParameter, getCurrentMetricData),
		r("POST", "/metrics/historical/{InstanceId}", "GetMetricData", errInvalidRequest, errInvalidParameter, getMetricData),

		// disc2: the phone number claim flow (numbers.go), tags on Connect
		// ARNs (tags_connect.go) and GetMetricDataV2 (metrics_v2.go).
		// A number claimed twice is InvalidParameterException.
		r("POST", "/phone-number/claim", "ClaimPhoneNumber", errInvalidParameter, errInvalidParameter, claimPhoneNumber).conflicts(errInvalidParameter).idempotent(),
		r("DELETE", "/phone-number/{PhoneNumberId}", "ReleasePhoneNumber", errInvalidParameter, errInvalidParameter, releasePhoneNumber).idempotent(),
		r("POST", "/phone-number/search-available", "SearchAvailablePhoneNumbers", errInvalidParameter, errInvalidParameter, searchAvailablePhoneNumbers),
		r("POST", "/phone-number/list", "ListPhoneNumbersV2", errInvalidParameter, errInvalidParameter, listPhoneNumbersV2),
		r("GET", "/phone-number/{PhoneNumberId}", "DescribePhoneNumber", errInvalidParameter, errInvalidParameter, describePhoneNumber),
		r("POST", "/tags/{resourceArn}", "TagResource", errInvalidParameter, errInvalidParameter, tagConnectResource),
		r("DELETE", "/tags/{resourceArn}", "UntagResource", errInvalidParameter, errInvalidParameter, untagConnectResource),
		r("GET", "/tags/{resourceArn}", "ListTagsForResource", errInvalidParameter, errInvalidParameter, listConnectTags),
		r("POST", "/metrics/data", "GetMetricDataV2", errInvalidRequest, errInvalidParameter, getMetricDataV2),
	)
}

// ---- disc1: discovery, updates and search (issue #12) ----

// discoveryRoutes are the List, Describe, Search and Update operations:
// the generic List and Describe over listSpecs and describeSpecs, the rest
// by hand.
func discoveryRoutes() []route {
	var rs []route
	for _, s := range listSpecs {
		rs = append(rs, r("GET", s.path, s.op, errInvalidRequest, errInvalidParameter,
			func(h *Handler, c *call) (any, error) { return h.listOf(c, s) }))
	}
	for _, s := range describeSpecs {
		rs = append(rs, r("GET", s.path+"/{InstanceId}/{"+s.idParam+"}", s.op, errInvalidRequest, errInvalidParameter,
			func(h *Handler, c *call) (any, error) { return h.describeOf(c, s) }))
	}
	return append(rs,
		r("GET", "/routing-profiles/{InstanceId}/{RoutingProfileId}/queues", "ListRoutingProfileQueues", errInvalidRequest, errInvalidParameter, listRoutingProfileQueues),
		r("GET", "/instance/{InstanceId}/lambda-functions", "ListLambdaFunctions", errInvalidRequest, errInvalidParameter, listLambdaFunctions),
		r("GET", "/instance/{InstanceId}/bots", "ListBots", errInvalidRequest, errInvalidRequest, listBots),
		r("GET", "/instance/{InstanceId}/attributes", "ListInstanceAttributes", errInvalidRequest, errInvalidParameter, listInstanceAttributes),

		r("POST", "/search-users", "SearchUsers", errInvalidRequest, errInvalidParameter, searchUsers),
		r("POST", "/search-queues", "SearchQueues", errInvalidRequest, errInvalidParameter, searchQueues),
		r("POST", "/search-routing-profiles", "SearchRoutingProfiles", errInvalidRequest, errInvalidParameter, searchRoutingProfiles),

		r("POST", "/users/{InstanceId}/{UserId}/routing-profile", "UpdateUserRoutingProfile", errInvalidRequest, errInvalidParameter, updateUserRoutingProfile),
		r("POST", "/users/{InstanceId}/{UserId}/identity-info", "UpdateUserIdentityInfo", errInvalidRequest, errInvalidParameter, updateUserIdentityInfo),
		r("POST", "/users/{InstanceId}/{UserId}/security-profiles", "UpdateUserSecurityProfiles", errInvalidRequest, errInvalidParameter, updateUserSecurityProfiles),
		r("POST", "/queues/{InstanceId}/{QueueId}/status", "UpdateQueueStatus", errInvalidRequest, errInvalidParameter, updateQueueStatus),
		r("POST", "/contact-flows/{InstanceId}/{ContactFlowId}/content", "UpdateContactFlowContent", errInvalidRequest, errInvalidParameter, updateContactFlowContent),
		r("GET", "/contact/attributes/{InstanceId}/{InitialContactId}", "GetContactAttributes", errInvalidRequest, errInvalidRequest, getContactAttributes),
	)
}

// ---- end disc1 ----
