package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/headroomhq/headroom"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages holds one template set per page, each the layout with the page's
// own "content".
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"value":   formatValue,
	"percent": func(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + " %" },
	"barpct": func(p float64) string {
		return strconv.FormatFloat(math.Max(0, math.Min(100, p)), 'f', 1, 64) + "%"
	},
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"scope":   func(s string) string { return strings.ReplaceAll(s, "/", " / ") },
	"pathesc": url.PathEscape,
	"qs":      url.QueryEscape,
	"lower":   strings.ToLower,
}

// formatValue prints a quota value without a needless fraction.
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func parsePages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page's template gets: the layout's parts and the
// page's own data.
type view struct {
	Title string
	// Nav is the navigation entry of the page, for aria-current.
	Nav string
	// User names who is signed in; empty on the sign-in page.
	User     string
	Operator bool
	CSRF     string
	// Flash is a message about the last action, such as a refused form.
	Flash string
	Data  any
}

// render writes a page with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, p *principal, status int, name string, v view) {
	t, ok := h.pages.byName[name]
	if !ok {
		h.log.Error("console: no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if p != nil {
		v.User, v.Operator, v.CSRF = p.tok.Name, p.operator(), h.sessionCSRF(p.cookie)
		if p.tok.Role == headroom.RoleService {
			v.User = fmt.Sprintf("%s (accounts %s)", p.tok.Name, strings.Join(p.tok.Accounts, ", "))
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log.Error("console: rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorData is the error page's content.
type errorData struct {
	Status  int
	Heading string
	Message string
}

// fail answers with an error page at the error's HTTP status (the native
// API's table). Internal errors are logged, and the page does not show
// their details.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, p *principal, err error) {
	status := h.cfg.ErrorStatus(err)
	msg := headroom.ErrorMessage(err)
	if status >= 500 {
		h.log.Error("console", "method", r.Method, "path", r.URL.Path, "err", err)
		if headroom.ErrorCodeOf(err) == headroom.EINTERNAL {
			msg = "Something went wrong on the server; the log has the details."
		}
	}
	h.render(w, r, p, status, "error", view{Title: http.StatusText(status),
		Data: errorData{Status: status, Heading: http.StatusText(status), Message: msg}})
}

// handleStatic serves the embedded CSS and script.
func (h *Handler) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	data, err := staticFiles.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(data)
}

// seeOther sends the browser to a page after a form, so that reloading
// does not post again.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
