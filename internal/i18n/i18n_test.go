package i18n

import (
	"errors"
	"strings"
	"testing"

	"mamori"
)

// TestCatalogsMatch holds the two languages to the same set of messages.
func TestCatalogsMatch(t *testing.T) {
	c := Default()
	ja, en := c.IDs("ja"), c.IDs("en")
	if len(ja) < 50 {
		t.Fatalf("only %d Japanese messages loaded", len(ja))
	}
	for _, id := range ja {
		if !c.Has("en", id) {
			t.Errorf("message %q has no English text", id)
		}
	}
	for _, id := range en {
		if !c.Has("ja", id) {
			t.Errorf("message %q has no Japanese text", id)
		}
	}
}

func TestTranslate(t *testing.T) {
	c := Default()
	for _, test := range []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"ja", "nav.assets", nil, "情報資産"},
		{"en", "nav.assets", nil, "Assets"},
		{"ja", "home.welcome", map[string]any{"Name": "山田"}, "山田 さん、ようこそ。"},
		{"fr", "nav.assets", nil, "情報資産"},
		{"ja", "no.such.message", nil, "no.such.message"},
		{"ja", "error.forbidden_needs", map[string]any{"Perms": IDs{"perm.asset.write", "perm.asset.manage"}}, "この操作には次のいずれかの権限が必要です: 情報資産の登録（所属）、情報資産の管理（全庁）"},
		{"en", "error.forbidden_needs", map[string]any{"Perms": IDs{"perm.asset.classify"}}, "This needs one of these permissions: Decide classifications"},
	} {
		if got := c.T(test.lang, test.id, test.data); got != test.want {
			t.Errorf("T(%s, %s) = %q, want %q", test.lang, test.id, got, test.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	c := Default()
	err := mamori.FieldError("name", "tenant.name_invalid", nil)
	if got := c.ErrorText("en", err); !strings.Contains(got, "organization's name") || !strings.Contains(got, "(name)") {
		t.Errorf("ErrorText = %q", got)
	}
	if got := c.ErrorText("ja", errors.New("pq: secret detail")); strings.Contains(got, "secret") {
		t.Errorf("internal error leaked: %q", got)
	}
}
