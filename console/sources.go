package console

import (
	"context"
	"net/http"
	"time"

	"github.com/headroomhq/headroom"
)

// usageHistory returns a quota's usage series. TEMPORARY until history lands.
func (h *Handler) usageHistory(ctx context.Context, account, code, scope string, from, to time.Time, step time.Duration) ([]headroom.HistoryPoint, error) {
	return nil, nil
}

// alarmRows returns alarms. TEMPORARY until alarms land.
func (h *Handler) alarmRows(r *http.Request, account string, firingOnly bool) ([]alarmRow, error) {
	return nil, nil
}
