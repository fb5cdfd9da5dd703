package policycli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(&out, &errb, args)
	return code, out.String(), errb.String()
}

func TestList(t *testing.T) {
	code, out, _ := run("list")
	if code != ExitOK || out != "amakusa\nfujieda\nkawamata\nshimojo\n" {
		t.Fatalf("list: %d %q", code, out)
	}
}

func TestDecideJSON(t *testing.T) {
	for _, test := range []struct {
		name   string
		args   []string
		effect string
		route  []string
		clause string
	}{
		{"機密性1 by e-mail is denied (第2章6(1)⑤ウ)", []string{"--fact", "confidentiality=1"}, "deny", []string{}, "第2章 6(1)⑤ウ"},
		{"機密性2 by e-mail needs approval (第2章6(1)⑤エ)", []string{"--fact", "confidentiality=2"}, "approve", []string{"security_manager"}, "第2章 6(1)⑤エ"},
		{"mixed medium 1 and 3 is treated as 1 (第2章5(2)④ウ)", []string{"--fact", "confidentiality=3,1"}, "deny", []string{}, "第2章 5(2)④ウ"},
	} {
		t.Run(test.name, func(t *testing.T) {
			args := append([]string{"decide", "--profile", "fujieda", "--action", "email.send_external", "--format", "json"}, test.args...)
			code, out, errs := run(args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &raw); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range raw {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if want := []string{"clauses", "effect", "policy_version", "reason", "route", "rules"}; !slices.Equal(keys, want) {
				t.Errorf("keys %v, want exactly %v", keys, want)
			}
			var d DecisionJSON
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if d.Effect != test.effect || !slices.Equal(d.Route, test.route) || !slices.Contains(d.Clauses, test.clause) ||
				d.Reason.JA == "" || d.Reason.EN == "" || d.PolicyVersion == "" || len(d.Rules) == 0 {
				t.Errorf("decision %+v", d)
			}
		})
	}
}

func TestDecideFactTypes(t *testing.T) {
	code, out, errs := run("decide", "--profile", "fujieda", "--action", "asset.transport",
		"--fact", "confidentiality=2", "--fact", "carrier=staff", "--fact", "protected=true", "--format", "json")
	if code != ExitOK || !strings.Contains(out, `"effect": "approve"`) {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	code, out, _ = run("decide", "--profile", "fujieda", "--action", "asset.take_out")
	if code != ExitOK || !strings.Contains(out, "take_out_record") {
		t.Fatalf("text output: %d %s", code, out)
	}
}

// TestDecideErrors: unknown actions and facts exit 2, never a silent allow.
func TestDecideErrors(t *testing.T) {
	for _, test := range []struct {
		name string
		args []string
		code int
	}{
		{"unknown action", []string{"--profile", "fujieda", "--action", "email.fax"}, ExitUsage},
		{"unknown fact", []string{"--profile", "fujieda", "--action", "email.send_external", "--fact", "colour=red"}, ExitUsage},
		{"ill-typed bool", []string{"--profile", "fujieda", "--action", "asset.transport", "--fact", "confidentiality=1", "--fact", "protected=maybe"}, ExitUsage},
		{"undefined level", []string{"--profile", "fujieda", "--action", "email.send_external", "--fact", "confidentiality=4"}, ExitUsage},
		{"value outside enum", []string{"--profile", "fujieda", "--action", "asset.transport", "--fact", "confidentiality=1", "--fact", "carrier=pigeon"}, ExitUsage},
		{"missing fact", []string{"--profile", "fujieda", "--action", "email.send_external"}, ExitUsage},
		{"malformed fact", []string{"--profile", "fujieda", "--action", "email.send_external", "--fact", "confidentiality"}, ExitUsage},
		{"no action", []string{"--profile", "fujieda"}, ExitUsage},
		{"unknown profile", []string{"--profile", "nara", "--action", "email.send_external"}, ExitInvalid},
	} {
		t.Run(test.name, func(t *testing.T) {
			code, out, errs := run(append([]string{"decide"}, test.args...)...)
			if code != test.code {
				t.Errorf("exit %d, want %d (stdout %q)", code, test.code, out)
			}
			if out != "" || errs == "" {
				t.Errorf("want only a message on stderr; stdout %q stderr %q", out, errs)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	if code, out, errs := run("check", "fujieda"); code != ExitOK || !strings.HasPrefix(out, "ok: fujieda") {
		t.Fatalf("check fujieda: %d %s %s", code, out, errs)
	}
	dir := t.TempDir()
	src, _ := os.ReadFile("../testdata/minimal.yaml")
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, src, 0o600)
	if code, _, errs := run("check", good); code != ExitOK {
		t.Fatalf("check good file: %d %s", code, errs)
	}
	bad := filepath.Join(dir, "bad.yaml")
	badSrc := bytes.Replace(src, []byte("reports_to: chief\n    grants: [policy.read]"), []byte("reports_to: boss\n    grants: [policy.read]"), 1)
	os.WriteFile(bad, badSrc, 0o600)
	line := bytes.Count(badSrc[:bytes.Index(badSrc, []byte("reports_to: boss"))], []byte("\n")) + 1
	code, _, errs := run("check", bad)
	if code != ExitInvalid || !strings.Contains(errs, fmt.Sprintf("%s:%d:17: unknown_role", bad, line)) {
		t.Fatalf("check bad file: %d %q", code, errs)
	}
	if code, _, _ := run("check"); code != ExitUsage {
		t.Errorf("check without argument: %d", code)
	}
}

func TestShowJSON(t *testing.T) {
	code, out, errs := run("show", "fujieda", "--format", "json")
	if code != ExitOK {
		t.Fatalf("%d %s", code, errs)
	}
	var c struct {
		ID   string `json:"id"`
		Axes []struct {
			ID     string `json:"id"`
			Levels []struct {
				ID string `json:"id"`
			} `json:"levels"`
		} `json:"axes"`
		Roles []struct {
			ID string `json:"id"`
		} `json:"roles"`
		Actions []struct {
			ID    string   `json:"id"`
			Facts []string `json:"facts"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != "fujieda" || len(c.Axes) != 3 || len(c.Axes[0].Levels) != 3 || len(c.Roles) < 8 {
		t.Errorf("show: %+v", c)
	}
	for _, a := range c.Actions {
		if a.ID == "asset.transport" && !slices.Equal(a.Facts, []string{"carrier", "confidentiality", "protected"}) {
			t.Errorf("asset.transport reads %v", a.Facts)
		}
	}
	if code, out, _ := run("show", "kawamata"); code != ExitOK || !strings.Contains(out, "kawamata") {
		t.Errorf("show text: %d %s", code, out)
	}
}

func TestDiff(t *testing.T) {
	code, out, _ := run("diff", "fujieda", "fujieda")
	if code != ExitOK || out != "" {
		t.Errorf("diff of a profile with itself: %d %q", code, out)
	}
	code, out, _ = run("diff", "shimojo", "amakusa", "--format", "json")
	var changes []map[string]any
	if code != ExitOK || json.Unmarshal([]byte(out), &changes) != nil || len(changes) == 0 {
		t.Errorf("diff json: %d %s", code, out)
	}
	if code, _, _ := run("diff", "fujieda"); code != ExitUsage {
		t.Errorf("diff with one argument: %d", code)
	}
}

func TestRunUnknownCommand(t *testing.T) {
	if code, _, _ := run("frobnicate"); code != ExitUsage {
		t.Errorf("exit %d", code)
	}
	if code, _, _ := run(); code != ExitUsage {
		t.Errorf("exit %d", code)
	}
}
