package policy

import (
	"os"
	"strings"
	"testing"
)

// TestFormatDocExample loads the complete example of docs/policy-format.md,
// so that the documentation cannot drift from the format.
func TestFormatDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/policy-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "<!-- complete-example -->\n```yaml\n")
	if !ok {
		t.Fatal("docs/policy-format.md has no complete example")
	}
	example, _, _ := strings.Cut(rest, "```")
	p, err := Load("docs/policy-format.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules()) == 0 || len(p.Roles()) == 0 {
		t.Error("the example is not complete")
	}
}
