package plan

import (
	"fmt"
	"math"
)

// ServiceTarget is a service-level target: Answered of the contacts
// answered within Within seconds.
type ServiceTarget struct {
	Answered float64 `yaml:"answered" json:"answered"`
	Within   float64 `yaml:"within_seconds" json:"within_seconds"`
}

// DefaultServiceTarget is the target staff is sized for when the forecast
// gives no agents: 80 % answered in 20 s.
var DefaultServiceTarget = ServiceTarget{Answered: 0.8, Within: 20}

// Validate returns an error naming the bad field.
func (t ServiceTarget) Validate() error {
	switch {
	case !(t.Answered > 0 && t.Answered < 1):
		return fmt.Errorf("answered: %v is not a share strictly between 0 and 1", t.Answered)
	case !(t.Within >= 0) || math.IsInf(t.Within, 0):
		return fmt.Errorf("within_seconds: %v is not a finite number of seconds ≥ 0", t.Within)
	}
	return nil
}

// maxAgents bounds staffing: a forecast needing more agents in one
// interval than this is refused as implausible.
const maxAgents = 200_000

// Staff returns the fewest agents that answer t.Answered of a erlangs,
// handle time aht seconds, within t.Within seconds by Erlang C, and never
// fewer than the load needs to be stable. Zero load needs zero agents. The
// search walks up from ⌊a⌋+1; the service level rises with every agent.
// With abandonment the real service level is better than Erlang C's, so
// this staffing is on the safe side.
func Staff(a, aht float64, t ServiceTarget) (int, error) {
	if err := t.Validate(); err != nil {
		return 0, err
	}
	if a <= 0 {
		return 0, nil
	}
	n := int(math.Floor(a)) + 1
	if n > maxAgents {
		return 0, fmt.Errorf("%.4g erlangs need more than %d agents", a, maxAgents)
	}
	// Erlang B walks up with n by its recurrence, so that each agent added
	// costs O(1): C = n·B/(n − a(1−B)).
	b := ErlangB(n, a)
	for ; n <= maxAgents; n++ {
		if n > int(math.Floor(a))+1 {
			b = a * b / (float64(n) + a*b)
		}
		c := float64(n) * b / (float64(n) - a*(1-b))
		if 1-c*math.Exp(-(float64(n)-a)*t.Within/aht) >= t.Answered {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%.4g erlangs need more than %d agents", a, maxAgents)
}
