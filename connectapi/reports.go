package connectapi

import (
	"strings"

	"github.com/headroomhq/headroom"
	"github.com/headroomhq/headroom/internal/ids"
)

// Saved and scheduled reports. Amazon Connect has no public API for them,
// so they are simulated, like inbound calls: each saved report holds a
// slot of "Reports per instance" (personal reports included) and each
// schedule a slot of "Scheduled reports per instance", taken and given back
// in the same store transaction as the report, so that a platform can track
// reports piling up against the quota.

var (
	kindReport         = &kind{name: "connect:saved-report", code: CodeSavedReports, label: "Saved report"}
	kindReportSchedule = &kind{name: "connect:report-schedule", code: CodeScheduledReports, label: "Report schedule"}
)

// The quotas reports hold slots of.
const (
	CodeSavedReports     = "L-79564E52"
	CodeScheduledReports = "L-986AE5E3"
)

// SaveReport is the body of a simulated saved report.
type SaveReport struct {
	// Name is unique in the instance.
	Name string `json:"name"`
	// Personal marks a report saved to a user's own reports; it counts
	// towards the instance's quota all the same.
	Personal bool `json:"personal,omitempty"`
	// Owner is the user who saved it; optional.
	Owner string `json:"owner,omitempty"`
}

// Report is a simulated saved report.
type Report struct {
	ReportID string `json:"report_id"`
	Name     string `json:"name"`
	Personal bool   `json:"personal,omitempty"`
	Owner    string `json:"owner,omitempty"`
	// Schedule is the report's schedule, when it is scheduled.
	Schedule string `json:"schedule,omitempty"`
}

// ScheduleReport is the body of a simulated report schedule.
type ScheduleReport struct {
	// Frequency is DAILY, WEEKLY or MONTHLY; DAILY if empty.
	Frequency string `json:"frequency,omitempty"`
}

// reportRoutes are the saved report endpoints of SimulateRoutes.
func (h *Handler) reportRoutes(route func(pattern, op string, fn func(c *call) (any, error)) SimulateRoute) []SimulateRoute {
	return []SimulateRoute{
		route("POST "+SimulatePrefix+"/reports", "SimulateSaveReport", h.simSaveReport),
		route("DELETE "+SimulatePrefix+"/reports/{report}", "SimulateDeleteReport", h.simDeleteReport),
		route("PUT "+SimulatePrefix+"/reports/{report}/schedule", "SimulateScheduleReport", h.simScheduleReport),
		route("DELETE "+SimulatePrefix+"/reports/{report}/schedule", "SimulateUnscheduleReport", h.simUnscheduleReport),
	}
}

func (h *Handler) simSaveReport(c *call) (any, error) {
	var in SaveReport
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, headroom.FieldErrorf("name", "is required")
	}
	iid := c.path("instance")
	if _, err := h.instance(c, iid); err != nil {
		return nil, err
	}
	out := Report{ReportID: ids.New(), Name: in.Name, Personal: in.Personal, Owner: in.Owner}
	if err := h.create(c, kindReport, c.op, iid, out.ReportID, in.Name, instanceScope(iid), out); err != nil {
		return nil, err
	}
	return out, nil
}

// report returns a saved report of the path's instance.
func (h *Handler) report(c *call) (Report, error) {
	iid := c.path("instance")
	var rep Report
	if _, err := h.instance(c, iid); err != nil {
		return rep, err
	}
	_, err := h.find(c, kindReport, iid, c.path("report"), &rep)
	return rep, err
}

// simDeleteReport deletes a saved report, giving back its slot, and its
// schedule's first, if it has one.
func (h *Handler) simDeleteReport(c *call) (any, error) {
	rep, err := h.report(c)
	if err != nil {
		return nil, err
	}
	iid := c.path("instance")
	if err := h.unschedule(c, iid, rep.ReportID); err != nil && headroom.ErrorCodeOf(err) != headroom.ENOTFOUND {
		return nil, err
	}
	err = h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindReport.name, ID: rep.ReportID,
		Free: kindReport.slot(instanceScope(iid)), Note: note(c, c.op, kindReport.label+" "+rep.ReportID+" deleted")})
	if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
		return nil, notFound(kindReport, rep.ReportID)
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

var frequencies = map[string]bool{"DAILY": true, "WEEKLY": true, "MONTHLY": true}

// simScheduleReport schedules a saved report, holding a scheduled report
// slot; a report is scheduled at most once (ECONFLICT).
func (h *Handler) simScheduleReport(c *call) (any, error) {
	var in ScheduleReport
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.Frequency == "" {
		in.Frequency = "DAILY"
	}
	if !frequencies[in.Frequency] {
		return nil, headroom.FieldErrorf("frequency", "must be DAILY, WEEKLY or MONTHLY, got %q", clip(in.Frequency))
	}
	rep, err := h.report(c)
	if err != nil {
		return nil, err
	}
	iid := c.path("instance")
	err = h.create(c, kindReportSchedule, c.op, iid, rep.ReportID, "", instanceScope(iid), in,
		headroom.ResourceRef{Kind: kindReport.name, ID: rep.ReportID})
	if headroom.ErrorCodeOf(err) == headroom.ECONFLICT {
		return nil, headroom.Errorf(headroom.ECONFLICT, "report %s is already scheduled", rep.ReportID)
	}
	if err != nil {
		return nil, err
	}
	rep.Schedule = in.Frequency
	return rep, nil
}

func (h *Handler) simUnscheduleReport(c *call) (any, error) {
	rep, err := h.report(c)
	if err != nil {
		return nil, err
	}
	if err := h.unschedule(c, c.path("instance"), rep.ReportID); err != nil {
		if headroom.ErrorCodeOf(err) == headroom.ENOTFOUND {
			return nil, headroom.Errorf(headroom.ENOTFOUND, "report %s is not scheduled", rep.ReportID)
		}
		return nil, err
	}
	return rep, nil
}

// unschedule deletes a report's schedule, giving back its slot; ENOTFOUND
// if it has none.
func (h *Handler) unschedule(c *call, iid, id string) error {
	return h.engine.DeleteResource(c.ctx, headroom.ResourceDelete{Account: c.account, Kind: kindReportSchedule.name, ID: id,
		Free: kindReportSchedule.slot(instanceScope(iid)), Note: note(c, c.op, kindReportSchedule.label+" "+id+" deleted")})
}
