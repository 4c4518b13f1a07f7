package profilesapi

// RouteOf is an operation's method and path, for the fuzz target.
func RouteOf(op string) (method, path string) {
	for _, rt := range routes {
		if rt.op == op {
			return rt.method, rt.path
		}
	}
	return "", ""
}
