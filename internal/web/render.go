package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"mamori/internal/auth"
	"mamori/internal/i18n"
	"mamori/internal/policy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Page is what every page template receives, embedded in the page's own
// data.
type Page struct {
	L     Localizer
	Me    *auth.Principal
	CSRF  string
	Title string // message id of the page title
	Nav   string // which navigation entry is current
	Flash string // message id of a notice to show once
	Path  string
}

// Localizer translates for one request's language. Templates call
// {{.L.T "id"}} or {{.L.T "id" "Key" value …}}.
type Localizer struct {
	Lang string
	cat  *i18n.Catalog
}

// T translates id, with optional key/value pairs for the template.
func (l Localizer) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				data[k] = kv[i+1]
			}
		}
	}
	return l.cat.T(l.Lang, id, data)
}

// Date shows a UTC time as a date in Japan.
func (l Localizer) Date(t time.Time) string { return i18n.FormatDate(l.Lang, t) }

// DateTime shows a UTC time as date and time in Japan.
func (l Localizer) DateTime(t time.Time) string { return i18n.FormatDateTime(l.Lang, t) }

// Wareki shows a date in the Japanese era calendar (令和7年11月25日).
func (l Localizer) Wareki(t time.Time) string { return i18n.Wareki(t) }

// Err shows an error in the request's language.
func (l Localizer) Err(err error) string { return l.cat.ErrorText(l.Lang, err) }

type pages struct {
	byName map[string]*template.Template
}

// loadPages parses each page template together with the layout and the
// partials (files starting with "_").
func loadPages() (*pages, error) {
	ps := &pages{byName: map[string]*template.Template{}}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	shared := []string{"templates/layout.html"}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "_") {
			shared = append(shared, "templates/"+e.Name())
		}
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || strings.HasPrefix(name, "_") || !strings.HasSuffix(name, ".html") {
			continue
		}
		files := append(append([]string{}, shared...), "templates/"+name)
		t, err := template.New(name).Funcs(templateFuncs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		ps.byName[strings.TrimSuffix(name, ".html")] = t
	}
	return ps, nil
}

// templateFuncs are the few helpers templates need beyond the Localizer.
var templateFuncs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"join": func(sep string, xs []string) string {
		return strings.Join(xs, sep)
	},
	// matters names the matters a substitution is limited to, for a
	// message to list in the reader's language.
	"matters": func(ms []policy.Matter) i18n.IDs {
		ids := make(i18n.IDs, len(ms))
		for i, m := range ms {
			ids[i] = "role.matter." + string(m)
		}
		return ids
	},
}

// render writes a page. It renders into a buffer first so that a template
// error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	layout := "layout"
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" && t.Lookup("fragment") != nil {
		layout = "fragment"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// page builds the common part of a page's data.
func (s *Server) page(r *http.Request, title, nav string) Page {
	p := Page{L: s.localizer(r), Me: principalFrom(r), Title: title, Nav: nav, Path: r.URL.Path}
	if c, err := r.Cookie(sessionCookie); err == nil && p.Me != nil {
		p.CSRF = auth.CSRFToken(c.Value)
	}
	if f := r.URL.Query().Get("flash"); f != "" && s.cat.Has("ja", "flash."+f) {
		p.Flash = "flash." + f
	}
	return p
}

func (s *Server) localizer(r *http.Request) Localizer {
	return Localizer{Lang: langOf(r), cat: s.cat}
}

const langCookie = "mamori_lang"

// langOf is the language of a request: the person's choice (a cookie),
// else Japanese.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		return i18n.Lang(c.Value)
	}
	if q := r.URL.Query().Get("lang"); q != "" {
		return i18n.Lang(q)
	}
	return "ja"
}

// serveStatic serves the embedded files under /static/.
func serveStatic() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		if path.Ext(r.URL.Path) == ".js" {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		}
		fsrv.ServeHTTP(w, r)
	})
}

// Pick chooses the text of the request's language from a ja/en pair,
// falling back to Japanese where no English was written.
func (l Localizer) Pick(ja, en string) string {
	if l.Lang == "en" && en != "" {
		return en
	}
	return ja
}
