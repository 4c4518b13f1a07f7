// Package console is Headroom's web console: server-rendered HTML pages,
// served by the same binary at /console/, over the domain services only
// (headroom.Services), never a Store.
//
// An operator signs in with the operator token and sees every account; a
// tenant signs in with a service token and sees only the accounts it is
// bound to (headroom.Token.MayAct, the rule of the native API). Sign-in
// exchanges the token for a session cookie (HttpOnly, SameSite=Strict,
// Secure over TLS) that carries the token's hash, MAC'ed with a server key;
// every request checks the token again, so that a deleted token ends its
// sessions. Every form carries a CSRF token, and every page a strict
// Content-Security-Policy: the console has no inline script or style, and
// loads nothing from another origin. Charts are inline SVG drawn on the
// server, with a table beside each for screen readers.
package console
