package connectapi

import (
	"encoding/json"
	"math"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/ids"
)

// queueData is a queue as stored.
type queueData struct {
	QueueId              string                `json:"QueueId"`
	QueueArn             string                `json:"QueueArn"`
	Name                 string                `json:"Name"`
	Description          string                `json:"Description,omitempty"`
	HoursOfOperationId   string                `json:"HoursOfOperationId"`
	MaxContacts          *int64                `json:"MaxContacts,omitempty"`
	Status               string                `json:"Status"`
	Tags                 json.RawMessage       `json:"Tags,omitempty"`
	QuickConnectIds      []string              `json:"QuickConnectIds,omitempty"`
	OutboundCallerConfig *outboundCallerConfig `json:"OutboundCallerConfig,omitempty"`
	// Default marks the queue an instance comes with (defaults.go).
	Default bool `json:"HeadroomDefault,omitempty"`
}

type createQueueInput struct {
	Name               string          `json:"Name"`
	Description        string          `json:"Description"`
	HoursOfOperationId string          `json:"HoursOfOperationId"`
	MaxContacts        *int64          `json:"MaxContacts"`
	QuickConnectIds    []string        `json:"QuickConnectIds"`
	Tags               json.RawMessage `json:"Tags"`
	// OutboundCallerConfig names a phone number and a flow of the
	// instance, which the queue then uses.
	OutboundCallerConfig *outboundCallerConfig `json:"OutboundCallerConfig"`
}

type outboundCallerConfig struct {
	OutboundCallerIdName     string `json:"OutboundCallerIdName,omitempty"`
	OutboundCallerIdNumberId string `json:"OutboundCallerIdNumberId,omitempty"`
	OutboundFlowId           string `json:"OutboundFlowId,omitempty"`
}

// checkMaxContacts refuses a queue contact limit above the instance's
// concurrent calls quota, stating the quota, as Amazon Connect does: the
// seed's trick for reading the quota.
func (h *Handler) checkMaxContacts(c *call, iid string, n *int64) error {
	if n == nil {
		return nil
	}
	if *n < 0 {
		return newError(errInvalidParameter, "MaxContacts must not be negative, got %d", *n)
	}
	a, err := h.engine.Applied(c.ctx, c.account, headroom.CodeConcurrentCalls, instanceScope(iid))
	if err != nil {
		return err
	}
	if float64(*n) > a.Value {
		return newError(errInvalidParameter, "MaxContacts of %d cannot exceed the concurrent calls quota of %g for instance %s", *n, math.Floor(a.Value), iid)
	}
	return nil
}

func createQueue(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	var in createQueueInput
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.Name == "":
		return nil, required("Name")
	case in.HoursOfOperationId == "":
		return nil, required("HoursOfOperationId")
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if err := h.checkMaxContacts(c, iid, in.MaxContacts); err != nil {
		return nil, err
	}
	if len(in.QuickConnectIds) > 50 {
		return nil, newError(errInvalidParameter, "QuickConnectIds takes at most 50 ids, got %d", len(in.QuickConnectIds))
	}
	// The hours and quick connects must be the instance's; the queue then
	// uses them, so none is deleted while it does.
	uses := []headroom.ResourceRef{{Kind: kindHours.name, ID: in.HoursOfOperationId}}
	if err := h.checkRefs(c, iid, kindHours, in.HoursOfOperationId); err != nil {
		return nil, err
	}
	for _, q := range in.QuickConnectIds {
		if err := h.checkRefs(c, iid, kindQuickConnect, q); err != nil {
			return nil, err
		}
		uses = append(uses, headroom.ResourceRef{Kind: kindQuickConnect.name, ID: q})
	}
	if oc := in.OutboundCallerConfig; oc != nil {
		if len(oc.OutboundCallerIdName) > 255 {
			return nil, newError(errInvalidParameter, "OutboundCallerConfig.OutboundCallerIdName must be at most 255 characters")
		}
		if err := checkText("OutboundCallerConfig.OutboundCallerIdName", oc.OutboundCallerIdName); err != nil {
			return nil, err
		}
		if oc.OutboundCallerIdNumberId != "" {
			if err := h.checkRefs(c, iid, kindPhoneNumber, oc.OutboundCallerIdNumberId); err != nil {
				return nil, err
			}
			uses = append(uses, headroom.ResourceRef{Kind: kindPhoneNumber.name, ID: oc.OutboundCallerIdNumberId})
		}
		if oc.OutboundFlowId != "" {
			if err := h.checkRefs(c, iid, kindContactFlow, oc.OutboundFlowId); err != nil {
				return nil, err
			}
			uses = append(uses, headroom.ResourceRef{Kind: kindContactFlow.name, ID: oc.OutboundFlowId})
		}
	}
	tags, err := createTags(in.Tags)
	if err != nil {
		return nil, err
	}
	id := ids.New()
	d := queueData{QueueId: id, QueueArn: h.arn(c.account, "instance/"+iid+"/queue/"+id), Name: in.Name, Description: in.Description,
		HoursOfOperationId: in.HoursOfOperationId, MaxContacts: in.MaxContacts, Status: "ENABLED", Tags: in.Tags, QuickConnectIds: in.QuickConnectIds,
		OutboundCallerConfig: in.OutboundCallerConfig}
	if err := checkText("Name", in.Name); err != nil {
		return nil, err
	}
	if err := h.create(c, kindQueue, "CreateQueue", iid, id, in.Name, instanceScope(iid), d, uses...); err != nil {
		return nil, err
	}
	if err := h.tagCreated(c, d.QueueArn, tags); err != nil {
		return nil, err
	}
	return map[string]string{"QueueId": id, "QueueArn": d.QueueArn}, nil
}

func deleteQueue(h *Handler, c *call) (any, error) {
	iid := c.path("InstanceId")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if err := h.remove(c, kindQueue, "DeleteQueue", iid, c.path("QueueId"), instanceScope(iid)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func updateQueueMaxContacts(h *Handler, c *call) (any, error) {
	iid, qid := c.path("InstanceId"), c.path("QueueId")
	var in struct {
		MaxContacts *int64 `json:"MaxContacts"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	if err := h.checkMaxContacts(c, iid, in.MaxContacts); err != nil {
		return nil, err
	}
	if _, err := update(h, c, kindQueue, iid, qid, func(d *queueData) (*headroom.Slot, error) {
		d.MaxContacts = in.MaxContacts
		return nil, nil
	}); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
