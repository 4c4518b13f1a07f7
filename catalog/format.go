package catalog

// The YAML schema of a catalog file. docs/catalog.md describes every field.
// The structs are decoded with unknown fields rejected; pointers mark fields
// whose absence differs from zero.

// fileYAML is a whole catalog file.
type fileYAML struct {
	Version   *int           `yaml:"version"`
	Extends   string         `yaml:"extends"`
	Quotas    []quotaYAML    `yaml:"quotas"`
	Overrides []overrideYAML `yaml:"overrides"`
}

// quotaYAML is one quota definition, mapped onto headroom.Quota.
type quotaYAML struct {
	Code          string       `yaml:"code"`
	Service       string       `yaml:"service"`
	Name          string       `yaml:"name"`
	Description   string       `yaml:"description"`
	Kind          string       `yaml:"kind"`
	Scope         string       `yaml:"scope"`
	Unit          string       `yaml:"unit"`
	Value         *float64     `yaml:"value"`
	Burst         float64      `yaml:"burst"`
	Adjustable    bool         `yaml:"adjustable"`
	Cohorts       []cohortYAML `yaml:"cohorts"`
	Allow         []string     `yaml:"allow"`
	Deny          []string     `yaml:"deny"`
	Match         string       `yaml:"match"`
	Uncounted     []string     `yaml:"uncounted"`
	UnavailableTo []string     `yaml:"unavailable_to"`
	Unavailable   string       `yaml:"unavailable"`
	Operations    []string     `yaml:"operations"`
	PerOperation  bool         `yaml:"per_operation"`
	Metric        *metricYAML  `yaml:"metric"`
	// Invented lists the parts of the default Headroom chose because
	// the seed gives none.
	Invented []inventedYAML `yaml:"invented"`
}

// inventedYAML is a default Headroom chose: source headroom, not the seed.
type inventedYAML struct {
	Field string `yaml:"field"`
	Value string `yaml:"value"`
	Note  string `yaml:"note"`
}

// cohortYAML is a default for accounts created in a date range. Dates are
// YYYY-MM-DD; created_from is inclusive, created_before exclusive.
type cohortYAML struct {
	CreatedFrom   string   `yaml:"created_from"`
	CreatedBefore string   `yaml:"created_before"`
	Value         *float64 `yaml:"value"`
}

// metricYAML names the CloudWatch metric that reports a quota's usage.
type metricYAML struct {
	Namespace  string            `yaml:"namespace"`
	Name       string            `yaml:"name"`
	Dimensions map[string]string `yaml:"dimensions"`
	Statistic  string            `yaml:"statistic"`
}

// overrideYAML changes the catalog default of a quota.
type overrideYAML struct {
	Code  string   `yaml:"code"`
	Value *float64 `yaml:"value"`
	Burst *float64 `yaml:"burst"`
}

// operationPlaceholder is what a per_operation definition's code, name and
// description say where each quota it stands for names its operation.
const operationPlaceholder = "{operation}"

// supportedVersion is the only catalog file version.
const supportedVersion = 1

// extendsDefault is the only catalog a file may extend.
const extendsDefault = "default"

// dateLayout is the layout of cohort dates.
const dateLayout = "2006-01-02"
