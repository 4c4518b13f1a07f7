// Package awsapi serves Headroom's AWS Service Quotas–compatible API: the
// awsJson1.1 protocol (POST / with X-Amz-Target:
// ServiceQuotasV20190624.<Operation>), authenticated with AWS Signature
// Version 4 against the access keys Headroom issues to its accounts.
//
// Tenants manage their quotas with the official AWS SDKs and CLIs pointed at
// Headroom: they list and read applied and default values, ask for increases
// (which go through Headroom's review workflow), follow their requests, and
// tag their quotas. The configured management account also manages the
// organization's quota request template, whose increases every account
// created after its association receives.
//
// The access key's account is the caller's tenant: no operation reveals or
// changes another account's quotas, requests or tags.
package awsapi
