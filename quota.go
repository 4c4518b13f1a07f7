package headroom

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Kind says how a quota is enforced.
type Kind string

// The kinds. Every row of the Amazon Connect seed is one of these.
const (
	// KindCount limits live resources of a kind in a scope: reserve, release.
	KindCount Kind = "count"
	// KindConcurrency limits sessions live at one moment: leases with expiry.
	KindConcurrency Kind = "concurrency"
	// KindRate is a token bucket: a refill rate per second and a burst.
	KindRate Kind = "rate"
	// KindCumulative counts events per entity that never go back down.
	KindCumulative Kind = "cumulative"
	// KindSize limits bytes or characters.
	KindSize Kind = "size"
	// KindDuration limits a lifetime measured from a start time.
	KindDuration Kind = "duration"
	// KindSet limits a value to an allow-list.
	KindSet Kind = "set"
)

// Kinds lists every valid Kind.
var Kinds = []Kind{KindCount, KindConcurrency, KindRate, KindCumulative, KindSize, KindDuration, KindSet}

// Unit is a quota's unit, named as AWS Service Quotas names units.
type Unit string

// The units.
const (
	UnitCount      Unit = "Count"
	UnitPerSecond  Unit = "Count/Second"
	UnitBytes      Unit = "Bytes"
	UnitKilobytes  Unit = "Kilobytes"
	UnitMegabytes  Unit = "Megabytes"
	UnitCharacters Unit = "Characters"
	UnitSeconds    Unit = "Seconds"
	UnitMinutes    Unit = "Minutes"
	UnitHours      Unit = "Hours"
	UnitDays       Unit = "Days"
	UnitMonths     Unit = "Months"
	UnitYears      Unit = "Years"
	UnitNone       Unit = "None"
)

// Units lists every valid Unit.
var Units = []Unit{UnitCount, UnitPerSecond, UnitBytes, UnitKilobytes, UnitMegabytes, UnitCharacters,
	UnitSeconds, UnitMinutes, UnitHours, UnitDays, UnitMonths, UnitYears, UnitNone}

// Bytes converts value in a size unit to bytes. Kilobytes and megabytes are
// binary (1 KB = 1024 bytes), as Amazon Connect counts them: its 32 KB
// attribute limit is 32,768 bytes. Characters convert one to one.
func (u Unit) Bytes(value float64) int64 {
	switch u {
	case UnitKilobytes:
		return int64(value * 1024)
	case UnitMegabytes:
		return int64(value * 1024 * 1024)
	default:
		return int64(value)
	}
}

// AddTo returns start plus value of a duration unit. Months and years are
// calendar months and years, so "24 months from the time the contact was
// initiated" lands on the same day of the month two years later.
func (u Unit) AddTo(start time.Time, value float64) time.Time {
	switch u {
	case UnitYears:
		return start.AddDate(int(value), 0, 0)
	case UnitMonths:
		return start.AddDate(0, int(value), 0)
	case UnitDays:
		return start.AddDate(0, 0, int(value))
	case UnitHours:
		return start.Add(time.Duration(value * float64(time.Hour)))
	case UnitMinutes:
		return start.Add(time.Duration(value * float64(time.Minute)))
	default:
		return start.Add(time.Duration(value * float64(time.Second)))
	}
}

// SetMatch says how a set quota compares a value with its entries.
type SetMatch string

// The set matching rules.
const (
	// MatchExact compares whole values, case-insensitively.
	MatchExact SetMatch = "exact"
	// MatchExtension compares a file name's extension, case-insensitively;
	// entries are written with their dot, as ".pdf".
	MatchExtension SetMatch = "extension"
	// MatchDialPrefix compares an E.164 number with dial prefixes such as
	// "+44". The longest matching entry decides, so a deny entry "+447"
	// carves UK mobile numbers out of an allowed "+44".
	MatchDialPrefix SetMatch = "dial-prefix"
)

// Cohort is a default value for accounts created within a date range. The
// seed's defaults hold for accounts created in February 2020 or later; older
// accounts may have other defaults, which a catalog expresses as cohorts.
type Cohort struct {
	// CreatedFrom is inclusive; zero means no lower bound.
	CreatedFrom time.Time
	// CreatedBefore is exclusive; zero means no upper bound.
	CreatedBefore time.Time
	// Value is the default for accounts in the cohort.
	Value float64
}

// Contains reports whether an account created at t belongs to the cohort.
func (c Cohort) Contains(t time.Time) bool {
	if !c.CreatedFrom.IsZero() && t.Before(c.CreatedFrom) {
		return false
	}
	if !c.CreatedBefore.IsZero() && !t.Before(c.CreatedBefore) {
		return false
	}
	return true
}

// UsageMetric names the CloudWatch metric that reports a quota's usage.
type UsageMetric struct {
	Namespace  string
	Name       string
	Dimensions map[string]string
	// Statistic is the recommended statistic, such as "Maximum".
	Statistic string
}

// Quota is one definition in the catalog. Quotas are immutable once the
// catalog is built, and safe for concurrent reads.
type Quota struct {
	// Code is unique in the catalog: a real Service Quotas code (L-...) where
	// one exists, otherwise Headroom's own (HR-...).
	Code string
	// Service is the service code, such as "connect" or "profile".
	Service string
	// Name is the quota's name in the seed's own words.
	Name string
	// Description carries the seed's notes on what is counted and what
	// happens at the limit.
	Description string
	Kind        Kind
	// Scope is where usage is counted: "account", "instance",
	// "instance/routing-profile" and so on (see ScopeTypes).
	Scope ScopeTemplate
	Unit  Unit
	// Value is the catalog default.
	Value float64
	// Burst is a rate quota's bucket capacity; zero for other kinds.
	Burst float64
	// Adjustable is false where the seed says the quota cannot be increased.
	Adjustable bool
	// Cohorts are defaults for ranges of account creation dates.
	Cohorts []Cohort
	// Allow and Deny are a set quota's entries; Match says how they compare.
	Allow []string
	Deny  []string
	Match SetMatch
	// Uncounted lists the states in which a concurrency session holds no
	// slot, such as a callback waiting in a callback queue.
	Uncounted []string
	// UnavailableTo lists account partners that may not use the quota's
	// resource at all ("AISPL"); Unavailable is the message they get.
	UnavailableTo []string
	Unavailable   string
	// Operations lists the API operations a rate quota throttles, as
	// "api:Operation" ("connect:GetMetricData"); "api:*" stands for every
	// operation of that API that no other rate quota names.
	Operations []string
	// Metric is the CloudWatch metric that reports usage, if any.
	Metric *UsageMetric
	// Invented lists the parts of the quota's default that Headroom chose
	// because the seed gives none, each with its reason.
	Invented []Invented

	// kindRule caches the kind's rule; NewCatalog sets it.
	kindRule *kindRule
	// extra is true for an extra quota (extra.go); SetExtraQuotas sets it.
	extra bool
}

// IsUncounted reports whether a session in state holds no slot.
func (q *Quota) IsUncounted(state string) bool {
	for _, s := range q.Uncounted {
		if strings.EqualFold(s, state) {
			return true
		}
	}
	return false
}

// IsUnavailableTo reports whether accounts of partner may not use the quota.
func (q *Quota) IsUnavailableTo(partner string) bool {
	if partner == "" {
		return false
	}
	for _, p := range q.UnavailableTo {
		if strings.EqualFold(p, partner) {
			return true
		}
	}
	return false
}

// Validate checks a quota definition on its own. It returns an *Error of code
// EINVALID whose Field names the first bad field.
func (q *Quota) Validate() error {
	if !ValidQuotaCode(q.Code) {
		return FieldErrorf("code", "%q must match [a-zA-Z][a-zA-Z0-9-]{1,128}", q.Code)
	}
	if !ValidServiceCode(q.Service) {
		return FieldErrorf("service", "%q must match [a-zA-Z][a-zA-Z0-9-]{1,63}", q.Service)
	}
	if strings.TrimSpace(q.Name) == "" {
		return FieldErrorf("name", "must not be empty")
	}
	for i, x := range q.Invented {
		if strings.TrimSpace(x.Field) == "" || strings.TrimSpace(x.Note) == "" {
			return FieldErrorf("invented", "entry %d needs a field and a note", i+1)
		}
	}
	rule := ruleFor(q.Kind)
	if rule == nil {
		return FieldErrorf("kind", "unknown kind %q (want one of %v)", q.Kind, Kinds)
	}
	units := rule.units
	if q.Adjustable && !rule.adjustable {
		return FieldErrorf("adjustable", "%s quotas cannot be adjusted", q.Kind)
	}
	if err := q.Scope.Validate(); err != nil {
		return err
	}
	if !containsUnit(units, q.Unit) {
		if !containsUnit(Units, q.Unit) {
			return FieldErrorf("unit", "unknown unit %q (want one of %v)", q.Unit, Units)
		}
		return FieldErrorf("unit", "unit %q does not fit kind %s (want one of %v)", q.Unit, q.Kind, units)
	}
	if err := checkValue("value", q.Value); err != nil {
		return err
	}
	if q.Kind == KindRate {
		if q.Value <= 0 {
			return FieldErrorf("value", "a rate must be above zero")
		}
		if q.Burst == 0 {
			return FieldErrorf("burst", "a rate quota needs a burst")
		}
		if err := checkValue("burst", q.Burst); err != nil {
			return err
		}
		if q.Burst < q.Value {
			return FieldErrorf("burst", "burst %g is below the rate %g", q.Burst, q.Value)
		}
		if q.Burst != math.Trunc(q.Burst) {
			return FieldErrorf("burst", "burst %g must be a whole number of requests", q.Burst)
		}
	} else if q.Burst != 0 {
		return FieldErrorf("burst", "only rate quotas have a burst")
	}
	if q.Kind == KindSet {
		switch q.Match {
		case MatchExact, MatchExtension, MatchDialPrefix:
		default:
			return FieldErrorf("match", "unknown match %q (want exact, extension or dial-prefix)", q.Match)
		}
		if len(q.Allow) == 0 {
			return FieldErrorf("allow", "a set quota needs at least one allowed entry")
		}
		if err := checkSetEntries("allow", q.Match, q.Allow); err != nil {
			return err
		}
		if err := checkSetEntries("deny", q.Match, q.Deny); err != nil {
			return err
		}
	} else if len(q.Allow)+len(q.Deny) > 0 || q.Match != "" {
		return FieldErrorf("allow", "only set quotas have allow and deny entries")
	}
	if len(q.Uncounted) > 0 && q.Kind != KindConcurrency {
		return FieldErrorf("uncounted", "only concurrency quotas have uncounted states")
	}
	if len(q.Operations) > 0 && q.Kind != KindRate {
		return FieldErrorf("operations", "only rate quotas throttle operations")
	}
	if len(q.Cohorts) > 0 && !q.Adjustable {
		return FieldErrorf("cohorts", "quota %s is not adjustable and cannot carry cohort values", q.Code)
	}
	for i, c := range q.Cohorts {
		field := fmt.Sprintf("cohorts[%d]", i)
		if err := checkValue(field+".value", c.Value); err != nil {
			return err
		}
		if c.CreatedFrom.IsZero() && c.CreatedBefore.IsZero() {
			return FieldErrorf(field, "a cohort needs created_from or created_before")
		}
		if !c.CreatedFrom.IsZero() && !c.CreatedBefore.IsZero() && !c.CreatedFrom.Before(c.CreatedBefore) {
			return FieldErrorf(field, "created_from must be before created_before")
		}
		if q.Kind == KindRate && c.Value <= 0 {
			return FieldErrorf(field+".value", "a rate must be above zero")
		}
	}
	return nil
}

// checkValue rejects NaN, infinities and negative values.
func checkValue(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return FieldErrorf(field, "must be a finite number, not %v", v)
	}
	if v < 0 {
		return FieldErrorf(field, "must not be negative, got %g", v)
	}
	return nil
}

func checkSetEntries(field string, m SetMatch, entries []string) error {
	for _, e := range entries {
		switch m {
		case MatchDialPrefix:
			if !validDialPrefix(e) {
				return FieldErrorf(field, "%q is not a dial prefix such as +44", e)
			}
		case MatchExtension:
			if len(e) < 2 || e[0] != '.' || strings.ContainsAny(e[1:], "./\\ ") {
				return FieldErrorf(field, "%q is not a file extension such as .pdf", e)
			}
		default:
			if strings.TrimSpace(e) == "" {
				return FieldErrorf(field, "entries must not be empty")
			}
		}
	}
	return nil
}

func validDialPrefix(s string) bool {
	if len(s) < 2 || len(s) > 16 || s[0] != '+' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func containsUnit(units []Unit, u Unit) bool {
	for _, x := range units {
		if x == u {
			return true
		}
	}
	return false
}

// ValidQuotaCode reports whether s matches [a-zA-Z][a-zA-Z0-9-]{1,128}.
func ValidQuotaCode(s string) bool { return validCode(s, 128) }

// ValidServiceCode reports whether s matches [a-zA-Z][a-zA-Z0-9-]{1,63}.
func ValidServiceCode(s string) bool { return validCode(s, 63) }

func validCode(s string, max int) bool {
	if len(s) < 2 || len(s) > max+1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}
