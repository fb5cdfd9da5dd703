// Package i18n holds the message catalogs: every piece of text a user sees,
// in Japanese (the default) and English. Templates and Go code refer to
// messages by id; the catalogs live in locales/AREA.LANG.yaml.
package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"mamori"
)

//go:embed locales/*.yaml
var localeFS embed.FS

// Langs are the languages mamori speaks, default first.
var Langs = []string{"ja", "en"}

// Catalog translates message ids.
type Catalog struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	ids        map[string]map[string]bool // lang → ids present
}

var defaultCatalog *Catalog

// Default returns the embedded catalog, loaded once.
func Default() *Catalog {
	if defaultCatalog == nil {
		c, err := Load(localeFS)
		if err != nil {
			panic(fmt.Sprintf("load message catalogs: %v", err))
		}
		defaultCatalog = c
	}
	return defaultCatalog
}

// Load reads every locales/*.yaml file in fsys.
func Load(fsys fs.FS) (*Catalog, error) {
	b := goi18n.NewBundle(language.Japanese)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*goi18n.Localizer{}, ids: map[string]map[string]bool{}}
	files, err := fs.Glob(fsys, "locales/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, path.Base(f))
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f, err)
		}
		lang := mf.Tag.String()
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if c.ids[lang][m.ID] {
				return nil, fmt.Errorf("catalog %s: message %q is defined twice", f, m.ID)
			}
			c.ids[lang][m.ID] = true
		}
	}
	for _, l := range Langs {
		c.localizers[l] = goi18n.NewLocalizer(b, l)
	}
	return c, nil
}

// IDs lists the message ids present for lang.
func (c *Catalog) IDs(lang string) []string {
	var out []string
	for id := range c.ids[lang] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Has reports whether id is in the catalog of lang.
func (c *Catalog) Has(lang, id string) bool { return c.ids[lang][id] }

// IDs is a template argument that is itself a list of message ids: each
// is translated into the message's language and the list joined, so that
// an error can name things ("the permissions needed") in both languages.
type IDs []string

// T translates id into lang, filling the message template with data. An
// unknown id comes back as itself, so that a gap is visible, not blank.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	loc, ok := c.localizers[lang]
	if !ok {
		loc = c.localizers["ja"]
		lang = "ja"
	}
	for k, v := range data {
		if ids, ok := v.(IDs); ok {
			names := make([]string, len(ids))
			for i, x := range ids {
				names[i] = c.T(lang, x, nil)
			}
			sep := "、"
			if lang == "en" {
				sep = ", "
			}
			translated := make(map[string]any, len(data))
			for k2, v2 := range data {
				translated[k2] = v2
			}
			translated[k] = strings.Join(names, sep)
			data = translated
		}
	}
	s, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Both returns the Japanese and English texts of id.
func (c *Catalog) Both(id string, data map[string]any) mamori.Text {
	return mamori.Text{JA: c.T("ja", id, data), EN: c.T("en", id, data)}
}

// Lang picks a supported language from a preference such as a cookie or
// an Accept-Language header; Japanese by default.
func Lang(pref string) string {
	pref = strings.ToLower(strings.TrimSpace(pref))
	if strings.HasPrefix(pref, "en") {
		return "en"
	}
	return "ja"
}

// ErrorText renders a user-facing error in lang. Errors that are not a
// *mamori.Error say only that something went wrong: their text may hold
// internals.
func (c *Catalog) ErrorText(lang string, err error) string {
	var e *mamori.Error
	if errors.As(err, &e) {
		msg := c.T(lang, e.Message, e.Args)
		if e.Field != "" && !strings.Contains(msg, "("+e.Field) {
			msg += " (" + e.Field + ")"
		}
		return msg
	}
	return c.T(lang, "error.internal", nil)
}
