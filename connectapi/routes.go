package connectapi

// routes lists every operation with Amazon Connect's exact method and path
// (from the service model), the error its model lists for a breached quota
// and the error it lists for bad parameters.
var routes = []route{
	{"PUT", "/instance", "CreateInstance", errServiceQuota, errInvalidRequest, createInstance},
	{"GET", "/instance/{InstanceId}", "DescribeInstance", errServiceQuota, errInvalidRequest, describeInstance},
	{"GET", "/instance", "ListInstances", errServiceQuota, errInvalidRequest, listInstances},
	{"DELETE", "/instance/{InstanceId}", "DeleteInstance", errServiceQuota, errInvalidRequest, deleteInstance},

	{"PUT", "/users/{InstanceId}", "CreateUser", errLimitExceeded, errInvalidParameter, createUser},
	{"GET", "/users/{InstanceId}/{UserId}", "DescribeUser", errLimitExceeded, errInvalidParameter, describeUser},
	{"GET", "/users-summary/{InstanceId}", "ListUsers", errLimitExceeded, errInvalidParameter, listUsers},
	{"DELETE", "/users/{InstanceId}/{UserId}", "DeleteUser", errLimitExceeded, errInvalidParameter, deleteUser},

	{"PUT", "/queues/{InstanceId}", "CreateQueue", errLimitExceeded, errInvalidParameter, createQueue},
	{"DELETE", "/queues/{InstanceId}/{QueueId}", "DeleteQueue", errLimitExceeded, errInvalidParameter, deleteQueue},
	{"POST", "/queues/{InstanceId}/{QueueId}/max-contacts", "UpdateQueueMaxContacts", errLimitExceeded, errInvalidParameter, updateQueueMaxContacts},

	{"PUT", "/routing-profiles/{InstanceId}", "CreateRoutingProfile", errLimitExceeded, errInvalidParameter, createRoutingProfile},
	{"POST", "/routing-profiles/{InstanceId}/{RoutingProfileId}/associate-queues", "AssociateRoutingProfileQueues", errInvalidRequest, errInvalidParameter, associateRoutingProfileQueues},
	{"POST", "/routing-profiles/{InstanceId}/{RoutingProfileId}/disassociate-queues", "DisassociateRoutingProfileQueues", errInvalidRequest, errInvalidParameter, disassociateRoutingProfileQueues},
}

func init() {
	routes = append(routes,
		route{"PUT", "/contact/outbound-voice", "StartOutboundVoiceContact", errLimitExceeded, errInvalidParameter, startOutboundVoiceContact},
		route{"PUT", "/contact/chat", "StartChatContact", errLimitExceeded, errInvalidParameter, startChatContact},
		route{"PUT", "/contact/task", "StartTaskContact", errServiceQuota, errInvalidParameter, startTaskContact},
		route{"POST", "/contact/transfer", "TransferContact", errServiceQuota, errInvalidRequest, transferContact},
		route{"POST", "/contact/stop", "StopContact", errInvalidRequest, errInvalidParameter, stopContact},
		route{"GET", "/contacts/{InstanceId}/{ContactId}", "DescribeContact", errInvalidRequest, errInvalidParameter, describeContact},
		route{"POST", "/contact/attributes", "UpdateContactAttributes", errInvalidParameter, errInvalidParameter, updateContactAttributes},
		route{"POST", "/contact/monitor", "MonitorContact", errServiceQuota, errInvalidRequest, monitorContact},
	)
}
