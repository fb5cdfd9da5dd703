package policy

import (
	"fmt"
	"strings"
)

// Text is a piece of human-readable text in Japanese and English. Japanese
// is the text of record; English may be empty where no translation exists.
type Text struct {
	JA string `yaml:"ja" json:"ja"`
	EN string `yaml:"en" json:"en"`
}

// String returns the Japanese text, or the English one when there is none.
func (t Text) String() string {
	if t.JA != "" {
		return t.JA
	}
	return t.EN
}

// IsZero reports whether both languages are empty.
func (t Text) IsZero() bool { return t.JA == "" && t.EN == "" }

// ErrorCode classifies a load or decision error, so that callers (the CLI,
// the web layer) can map it to an exit code or status without parsing text.
type ErrorCode string

// Load error codes. Each has a test in validate_test.go.
const (
	ECodeSyntax            ErrorCode = "syntax"
	ECodeUnknownField      ErrorCode = "unknown_field"
	ECodeType              ErrorCode = "type"
	ECodeRequired          ErrorCode = "required"
	ECodeInvalid           ErrorCode = "invalid"
	ECodeDuplicateID       ErrorCode = "duplicate_id"
	ECodeMissingClause     ErrorCode = "missing_clause"
	ECodeUnknownRole       ErrorCode = "unknown_role"
	ECodeUnknownAxis       ErrorCode = "unknown_axis"
	ECodeUnknownLevel      ErrorCode = "unknown_level"
	ECodeUnknownFact       ErrorCode = "unknown_fact"
	ECodeUnknownAction     ErrorCode = "unknown_action"
	ECodeUnknownPermission ErrorCode = "unknown_permission"
	ECodeUnknownRecordType ErrorCode = "unknown_record_type"
	ECodeUnknownSegment    ErrorCode = "unknown_segment"
	ECodeUnknownRule       ErrorCode = "unknown_rule"
	ECodeSubstitutionCycle ErrorCode = "substitution_cycle"
	ECodeReportingCycle    ErrorCode = "reporting_cycle"
	ECodeRouteScope        ErrorCode = "route_scope"
	ECodeCELSyntax         ErrorCode = "cel_syntax"
	ECodeCELType           ErrorCode = "cel_type"
	ECodeCELCost           ErrorCode = "cel_cost"
	ECodeNoDefault         ErrorCode = "no_default"
	ECodeUnknownPurpose    ErrorCode = "unknown_purpose"
	ECodeUnknownMatter     ErrorCode = "unknown_matter"
)

// Decision error codes.
const (
	ECodeUnknownActionDecide ErrorCode = "unknown_action"
	ECodeUnknownFactDecide   ErrorCode = "unknown_fact"
	ECodeFactType            ErrorCode = "fact_type"
	ECodeMissingFact         ErrorCode = "missing_fact"
	ECodeEval                ErrorCode = "eval"
)

// LoadError is one problem found in a profile, located in its source.
type LoadError struct {
	File    string
	Line    int
	Column  int
	Code    ErrorCode
	Message Text
}

// Error formats the error as "file:line:column: code: japanese (english)",
// the form editors and CI logs understand.
func (e LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message.JA)
	if e.Message.EN != "" {
		fmt.Fprintf(&b, " (%s)", e.Message.EN)
	}
	return b.String()
}

// LoadErrors is every problem Load found, in source order. Load returns it
// (as error) instead of stopping at the first problem, so that an author
// fixes a profile in one pass.
type LoadErrors []LoadError

// Error prints one error per line.
func (es LoadErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Has reports whether some error carries code c; tests use it.
func (es LoadErrors) Has(c ErrorCode) bool {
	for _, e := range es {
		if e.Code == c {
			return true
		}
	}
	return false
}

// DecideError is returned by Decide for a question the policy cannot answer
// as asked: an unknown action, an undeclared or ill-typed fact, a missing
// fact. It is never turned into a silent allow.
type DecideError struct {
	Code    ErrorCode
	Action  string
	Fact    string
	Message Text
}

func (e *DecideError) Error() string {
	return fmt.Sprintf("policy: %s: %s (%s)", e.Code, e.Message.EN, e.Message.JA)
}
