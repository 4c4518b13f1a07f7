package awsapi

import (
	"strconv"
	"time"
)

// The request and response members below carry AWS's exact names: the Go
// field names are the JSON member names, and encoding/json uses them as they
// are. Input members are pointers so that absent and zero differ.

// epochTime is a timestamp as awsJson1.1 sends it: seconds since the Unix
// epoch, as a JSON number with milliseconds.
type epochTime time.Time

// MarshalJSON writes the time as fractional epoch seconds.
func (t epochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	b := strconv.AppendInt(nil, sec, 10)
	if frac != 0 {
		b = append(b, '.')
		b = append(b, byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	}
	return b, nil
}

type serviceInfo struct {
	ServiceCode string
	ServiceName string
}

type metricInfo struct {
	MetricNamespace               string
	MetricName                    string
	MetricDimensions              map[string]string `json:",omitempty"`
	MetricStatisticRecommendation string            `json:",omitempty"`
}

type quotaPeriod struct {
	PeriodValue int
	PeriodUnit  string
}

type quotaContext struct {
	ContextScope     string
	ContextScopeType string `json:",omitempty"`
	ContextId        string `json:",omitempty"`
}

type serviceQuota struct {
	ServiceCode         string
	ServiceName         string
	QuotaArn            string
	QuotaCode           string
	QuotaName           string
	Description         string `json:",omitempty"`
	Value               float64
	Unit                string
	Adjustable          bool
	GlobalQuota         bool
	UsageMetric         *metricInfo   `json:",omitempty"`
	Period              *quotaPeriod  `json:",omitempty"`
	QuotaAppliedAtLevel string        `json:",omitempty"`
	QuotaContext        *quotaContext `json:",omitempty"`
}

type requestedChange struct {
	Id                    string
	CaseId                string `json:",omitempty"`
	ServiceCode           string
	ServiceName           string
	QuotaCode             string
	QuotaName             string
	DesiredValue          float64
	Status                string
	Created               epochTime
	LastUpdated           epochTime
	Requester             string `json:",omitempty"`
	QuotaArn              string
	GlobalQuota           bool
	Unit                  string
	QuotaRequestedAtLevel string
	QuotaContext          *quotaContext `json:",omitempty"`
}

type templateEntry struct {
	ServiceCode  string
	ServiceName  string
	QuotaCode    string
	QuotaName    string
	DesiredValue float64
	AwsRegion    string
	Unit         string
	GlobalQuota  bool
}

type tag struct {
	Key   string
	Value string
}

// empty is the response of operations that return no members.
type empty struct{}

// Inputs and outputs, one pair per operation.

type listServicesInput struct {
	MaxResults *int32
	NextToken  *string
}

type listServicesOutput struct {
	NextToken string `json:",omitempty"`
	Services  []serviceInfo
}

type listServiceQuotasInput struct {
	ServiceCode         *string
	QuotaCode           *string
	QuotaAppliedAtLevel *string
	MaxResults          *int32
	NextToken           *string
}

type listDefaultQuotasInput struct {
	ServiceCode *string
	MaxResults  *int32
	NextToken   *string
}

type listQuotasOutput struct {
	NextToken string `json:",omitempty"`
	Quotas    []serviceQuota
}

type getServiceQuotaInput struct {
	ServiceCode *string
	QuotaCode   *string
	ContextId   *string
}

type getDefaultQuotaInput struct {
	ServiceCode *string
	QuotaCode   *string
}

type quotaOutput struct {
	Quota serviceQuota
}

type requestIncreaseInput struct {
	ServiceCode        *string
	QuotaCode          *string
	DesiredValue       *float64
	ContextId          *string
	SupportCaseAllowed *bool
}

type requestedOutput struct {
	RequestedQuota requestedChange
}

type getRequestInput struct {
	RequestId *string
}

type listHistoryInput struct {
	ServiceCode           *string
	Status                *string
	QuotaRequestedAtLevel *string
	MaxResults            *int32
	NextToken             *string
}

type listHistoryByQuotaInput struct {
	ServiceCode           *string
	QuotaCode             *string
	Status                *string
	QuotaRequestedAtLevel *string
	MaxResults            *int32
	NextToken             *string
}

type listHistoryOutput struct {
	NextToken       string `json:",omitempty"`
	RequestedQuotas []requestedChange
}

type putTemplateInput struct {
	ServiceCode  *string
	QuotaCode    *string
	AwsRegion    *string
	DesiredValue *float64
}

type templateKeyInput struct {
	ServiceCode *string
	QuotaCode   *string
	AwsRegion   *string
}

type templateEntryOutput struct {
	ServiceQuotaIncreaseRequestInTemplate templateEntry
}

type listTemplateInput struct {
	ServiceCode *string
	AwsRegion   *string
	MaxResults  *int32
	NextToken   *string
}

type listTemplateOutput struct {
	NextToken                                 string `json:",omitempty"`
	ServiceQuotaIncreaseRequestInTemplateList []templateEntry
}

type associationOutput struct {
	ServiceQuotaTemplateAssociationStatus string
}

type tagResourceInput struct {
	ResourceARN *string
	Tags        []tagInput
}

// tagInput is one tag as sent; its members are checked as strictly as a
// request's.
type tagInput struct {
	Key   *string
	Value *string
}

type untagResourceInput struct {
	ResourceARN *string
	TagKeys     []string
}

type listTagsInput struct {
	ResourceARN *string
}

type listTagsOutput struct {
	Tags []tag
}
