// Package arn builds and reads Amazon Resource Names, for every API
// Headroom emulates.
package arn

import "strings"

// ARN is a parsed Amazon Resource Name:
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// String returns the ARN in its text form.
func (a ARN) String() string {
	p := a.Partition
	if p == "" {
		p = "aws"
	}
	return "arn:" + p + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Build returns arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE.
func Build(service, region, account, resource string) string {
	return ARN{Service: service, Region: region, Account: account, Resource: resource}.String()
}

// Parse reads an ARN; ok is false for text that is not one (fewer than six
// colon-separated parts, or not starting with "arn:").
func Parse(s string) (a ARN, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}
