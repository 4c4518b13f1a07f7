package headroom

// cumulativeRule: events per entity that never go back down, such as
// transfers per task. An increment is a reserve of the same stored counter
// as a count's, so it is decided by doCount; there is no release.
var cumulativeRule = kindRule{
	kind:       KindCumulative,
	ops:        opBits(OpIncrement),
	units:      []Unit{UnitCount},
	adjustable: true,
	stored:     true,
	usage:      storedCount,
	needs:      needAmount,
}
