package console

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/headroomhq/headroom"
)

// usageHistory returns a quota's usage series from the history service:
// one point per step from from to to.
func (h *Handler) usageHistory(ctx context.Context, account, code, scope string, from, to time.Time, step time.Duration) ([]headroom.HistoryPoint, error) {
	hist, err := h.svc.History(ctx, account, code, scope, from, to, step)
	if err != nil {
		return nil, err
	}
	return hist.Points, nil
}

// alarmRows returns the stored alarm states of an account (every account
// if account is empty), only the firing ones if firingOnly, critical first,
// as the alarm service orders them. An account that no longer exists has
// none.
func (h *Handler) alarmRows(r *http.Request, account string, firingOnly bool) ([]alarmRow, error) {
	states, err := h.svc.ListAlarms(r.Context(), account, firingOnly)
	if headroom.ErrorCodeOf(err) == headroom.EUNKNOWNACCOUNT {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rows := make([]alarmRow, 0, len(states))
	for _, s := range states {
		row := alarmRow{Account: s.Key.Account, Code: s.Key.Code, Name: s.Key.Code, Scope: s.Key.Scope, Kind: string(s.Kind),
			Level: string(s.Level), Used: s.Value, Applied: s.Applied, Percent: 100 * s.Ratio,
			Since: s.Since.UTC().Format("2006-01-02 15:04 UTC"), Throttle: s.Kind == headroom.AlarmThrottle}
		if row.Scope == "" {
			row.Scope = headroom.ScopeAccount
		}
		if q, err := h.svc.Catalog().Quota(s.Key.Code); err == nil {
			row.Name = q.Name
		}
		row.Link = "/console/accounts/" + url.PathEscape(row.Account) + "/quotas/" + url.PathEscape(row.Code)
		if row.Scope != headroom.ScopeAccount {
			row.Link += "?scope=" + url.QueryEscape(row.Scope)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
