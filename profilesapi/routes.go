package profilesapi

// routes are the operations served, at the method and path of the AWS
// SDK's customerprofiles serializers.
var routes = []route{
	{method: "POST", path: "/domains/{DomainName}", op: "CreateDomain", fn: createDomain},
	{method: "GET", path: "/domains/{DomainName}", op: "GetDomain", fn: getDomain},
	{method: "GET", path: "/domains", op: "ListDomains", fn: listDomains},
	{method: "PUT", path: "/domains/{DomainName}", op: "UpdateDomain", fn: updateDomain},
	{method: "DELETE", path: "/domains/{DomainName}", op: "DeleteDomain", fn: deleteDomain},

	{method: "PUT", path: "/domains/{DomainName}/object-types/{ObjectTypeName}", op: "PutProfileObjectType", fn: putProfileObjectType},
	{method: "GET", path: "/domains/{DomainName}/object-types/{ObjectTypeName}", op: "GetProfileObjectType", fn: getProfileObjectType},
	{method: "GET", path: "/domains/{DomainName}/object-types", op: "ListProfileObjectTypes", fn: listProfileObjectTypes},
	{method: "DELETE", path: "/domains/{DomainName}/object-types/{ObjectTypeName}", op: "DeleteProfileObjectType", fn: deleteProfileObjectType},

	{method: "POST", path: "/domains/{DomainName}/profiles", op: "CreateProfile", fn: createProfile, modifies: true},
	{method: "PUT", path: "/domains/{DomainName}/profiles", op: "UpdateProfile", fn: updateProfile, modifies: true},
	{method: "POST", path: "/domains/{DomainName}/profiles/delete", op: "DeleteProfile", fn: deleteProfile, modifies: true},
	{method: "POST", path: "/domains/{DomainName}/profiles/search", op: "SearchProfiles", fn: searchProfiles},
	{method: "PUT", path: "/domains/{DomainName}/profiles/objects", op: "PutProfileObject", fn: putProfileObject, modifies: true},
	{method: "POST", path: "/domains/{DomainName}/profiles/objects", op: "ListProfileObjects", fn: listProfileObjects},
	{method: "POST", path: "/domains/{DomainName}/profiles/objects/delete", op: "DeleteProfileObject", fn: deleteProfileObject, modifies: true},

	{method: "PUT", path: "/domains/{DomainName}/integrations", op: "PutIntegration", fn: putIntegration},
	{method: "POST", path: "/domains/{DomainName}/integrations", op: "GetIntegration", fn: getIntegration},
	{method: "GET", path: "/domains/{DomainName}/integrations", op: "ListIntegrations", fn: listIntegrations},
	{method: "POST", path: "/domains/{DomainName}/integrations/delete", op: "DeleteIntegration", fn: deleteIntegration},

	{method: "GET", path: "/templates", op: "ListProfileObjectTypeTemplates", fn: listProfileObjectTypeTemplates},
	{method: "GET", path: "/templates/{TemplateId}", op: "GetProfileObjectTypeTemplate", fn: getProfileObjectTypeTemplate},

	{method: "POST", path: "/tags/{resourceArn}", op: "TagResource", fn: tagResource, tags: true},
	{method: "DELETE", path: "/tags/{resourceArn}", op: "UntagResource", fn: untagResource, tags: true},
	{method: "GET", path: "/tags/{resourceArn}", op: "ListTagsForResource", fn: listTagsForResource, tags: true},
}
