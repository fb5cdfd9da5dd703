// Package policycli holds the logic of the "mamori policy …" commands as
// functions of (stdout, stderr, args) returning an exit code, so that the
// command tree in cmd/mamori only wires them in and tests can run them
// without a process.
//
// Exit codes: 0 success; 1 the profile is invalid or cannot be read;
// 2 a usage error, or a question the policy cannot answer as asked
// (unknown action, unknown or ill-typed fact).
package policycli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"mamori/internal/policy"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitInvalid = 1
	ExitUsage   = 2
)

// Run dispatches args[0] (list, show, check, decide, diff) to its command.
func Run(stdout, stderr io.Writer, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: policy list|show|check|decide|diff …")
		return ExitUsage
	}
	cmds := map[string]func(io.Writer, io.Writer, []string) int{
		"list": List, "show": Show, "check": Check, "decide": Decide, "diff": Diff,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "policy: unknown command %q\n", args[0])
		return ExitUsage
	}
	return cmd(stdout, stderr, args[1:])
}

// parse parses flags that may come before, between or after positional
// arguments ("show fujieda --format json"), which flag.Parse alone does not.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// open resolves NAME (a builtin profile) or FILE (a path) to a policy.
func open(arg string) (*policy.Policy, error) {
	if slices.Contains(policy.BuiltinNames(), arg) {
		return policy.Builtin(arg)
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return nil, fmt.Errorf("cannot read profile: %w", err)
	}
	return policy.Load(arg, data)
}

// List prints one builtin profile name per line.
func List(stdout, stderr io.Writer, args []string) int {
	fs := newFlagSet("policy list", stderr)
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 0 {
		fmt.Fprintln(stderr, "usage: policy list")
		return ExitUsage
	}
	for _, n := range policy.BuiltinNames() {
		fmt.Fprintln(stdout, n)
	}
	return ExitOK
}

// Check validates NAME or FILE: exit 0 when valid, 1 with every error (one
// per line, file:line:column) otherwise.
func Check(stdout, stderr io.Writer, args []string) int {
	fs := newFlagSet("policy check", stderr)
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: policy check NAME|FILE")
		return ExitUsage
	}
	p, err := open(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInvalid
	}
	fmt.Fprintf(stdout, "ok: %s %s (%d roles, %d axes, %d actions, %d rules, %d obligations) sha256:%s\n",
		p.ID(), p.Version(), len(p.Roles()), len(p.Axes()), len(p.Actions()), len(p.Rules()), len(p.Obligations()), p.Hash())
	return ExitOK
}

// factFlags collects repeated --fact KEY=VALUE.
type factFlags []string

func (f *factFlags) String() string     { return strings.Join(*f, " ") }
func (f *factFlags) Set(v string) error { *f = append(*f, v); return nil }

// DecisionJSON is the decision as the command line and the decision API
// print it; other tools rely on exactly these keys.
type DecisionJSON struct {
	Effect        string      `json:"effect"`
	Route         []string    `json:"route"`
	Rules         []string    `json:"rules"`
	Clauses       []string    `json:"clauses"`
	Reason        policy.Text `json:"reason"`
	PolicyVersion string      `json:"policy_version"`
}

// NewDecisionJSON converts a decision to its printed form.
func NewDecisionJSON(d policy.Decision) DecisionJSON {
	out := DecisionJSON{Effect: string(d.Effect), Route: []string{}, Rules: []string{}, Clauses: []string{}, Reason: d.Reason, PolicyVersion: d.PolicyVersion}
	for _, s := range d.Route {
		out.Route = append(out.Route, s.Role)
	}
	out.Rules = append(out.Rules, d.Rules...)
	out.Clauses = append(out.Clauses, d.Clauses...)
	return out
}

// ParseFact turns KEY=VALUE into a fact of the type the profile declares:
// bool (true/false), int, string, list (comma-separated) and level (one
// level, or comma-separated levels for a medium holding several).
func ParseFact(p *policy.Policy, kv string) (string, any, error) {
	key, val, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return "", nil, fmt.Errorf("fact %q: want KEY=VALUE", kv)
	}
	f, ok := p.Fact(key)
	if !ok {
		return "", nil, fmt.Errorf("profile %s declares no fact %q", p.ID(), key)
	}
	switch f.Type {
	case policy.FactBool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return "", nil, fmt.Errorf("fact %s: want true or false, got %q", key, val)
		}
		return key, b, nil
	case policy.FactInt:
		i, err := strconv.Atoi(val)
		if err != nil {
			return "", nil, fmt.Errorf("fact %s: want an integer, got %q", key, val)
		}
		return key, i, nil
	case policy.FactList, policy.FactLevel:
		parts := strings.Split(val, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return key, parts, nil
	}
	return key, val, nil
}

// Decide asks the policy about one action and prints the decision.
func Decide(stdout, stderr io.Writer, args []string) int {
	fs := newFlagSet("policy decide", stderr)
	profile := fs.String("profile", "", "profile NAME or FILE")
	action := fs.String("action", "", "action id")
	format := fs.String("format", "text", "output format: text or json")
	var facts factFlags
	fs.Var(&facts, "fact", "KEY=VALUE (repeatable)")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 0 || *profile == "" || *action == "" || (*format != "json" && *format != "text") {
		fmt.Fprintln(stderr, "usage: policy decide --profile NAME|FILE --action ACTION [--fact KEY=VALUE …] [--format json|text]")
		return ExitUsage
	}
	p, err := open(*profile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInvalid
	}
	if _, ok := p.Action(*action); !ok {
		fmt.Fprintf(stderr, "policy decide: profile %s has no action %q\n", p.ID(), *action)
		return ExitUsage
	}
	fv := policy.Facts{}
	for _, kv := range facts {
		k, v, err := ParseFact(p, kv)
		if err != nil {
			fmt.Fprintf(stderr, "policy decide: %v\n", err)
			return ExitUsage
		}
		fv[k] = v
	}
	d, err := p.Decide(*action, fv)
	if err != nil {
		fmt.Fprintf(stderr, "policy decide: %v\n", err)
		var de *policy.DecideError
		if errors.As(err, &de) && de.Code != policy.ECodeEval {
			return ExitUsage
		}
		return ExitInvalid
	}
	if *format == "json" {
		return writeJSON(stdout, stderr, NewDecisionJSON(d))
	}
	fmt.Fprintf(stdout, "effect:  %s\n", d.Effect)
	if len(d.Route) > 0 {
		var steps []string
		for _, s := range d.Route {
			steps = append(steps, s.Role+" ("+s.Scope+")")
		}
		fmt.Fprintf(stdout, "route:   %s\n", strings.Join(steps, " → "))
	}
	if d.RecordType != "" {
		fmt.Fprintf(stdout, "record:  %s\n", d.RecordType)
	}
	fmt.Fprintf(stdout, "rules:   %s\nclauses: %s\nreason:  %s\n         %s\nversion: %s\n",
		strings.Join(d.Rules, ", "), strings.Join(d.Clauses, ", "), d.Reason.JA, d.Reason.EN, d.PolicyVersion)
	return ExitOK
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInvalid
	}
	return ExitOK
}

// Diff prints what changed from profile A to profile B, one change a line.
func Diff(stdout, stderr io.Writer, args []string) int {
	fs := newFlagSet("policy diff", stderr)
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 2 || (*format != "json" && *format != "text") {
		fmt.Fprintln(stderr, "usage: policy diff A B [--format json|text]  (A and B: NAME or FILE)")
		return ExitUsage
	}
	a, err := open(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInvalid
	}
	b, err := open(pos[1])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInvalid
	}
	changes := policy.Diff(a, b)
	if *format == "json" {
		if changes == nil {
			changes = []policy.Change{}
		}
		return writeJSON(stdout, stderr, changes)
	}
	for _, c := range changes {
		fmt.Fprintln(stdout, c.Text.EN)
	}
	return ExitOK
}
