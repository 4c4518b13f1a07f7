package console

import (
	"net/http"
)

// alarmRow is one quota's alarm as the tables show it: its level and the
// usage when it entered it.
type alarmRow struct {
	Account, Code, Name, Scope string
	// Kind is "usage" or "throttle".
	Kind string
	// Level is OK, WARNING or CRITICAL.
	Level string
	// Used and Applied are the usage and applied value (usage alarm), or
	// the throttled decisions and their limit N (throttle alarm), when
	// the level was entered.
	Used     int64
	Applied  float64
	Percent  float64
	Throttle bool
	Since    string
	Link     string
}

// alarmsData is the alarms page's content.
type alarmsData struct {
	Rows []alarmRow
}

// handleAlarms shows the alarms firing now: every account's for the
// operator, the tenant's own accounts' otherwise; critical first.
func (h *Handler) handleAlarms(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	accounts := []string{""}
	if !p.operator() {
		accounts = p.tok.Accounts
	}
	var d alarmsData
	for _, a := range accounts {
		rows, err := h.alarmRows(r, a, true)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.Rows = append(d.Rows, rows...)
	}
	h.render(w, r, p, http.StatusOK, "alarms", view{Title: "Alarms firing", Nav: "alarms", Data: d})
}
