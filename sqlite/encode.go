package sqlite

// Times, lists and floats are stored as internal/dbcodec encodes them, the
// same in both SQL stores, so that a copy between them is exact.

// boolInt stores a bool as 0 or 1.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
