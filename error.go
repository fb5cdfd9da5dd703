// Package mamori holds the types every area shares: the error codes that the
// HTTP layer and the CLI turn into statuses and messages, and the scope that
// names who is acting for which tenant. It imports nothing of storage or HTTP.
package mamori

import (
	"errors"
	"fmt"
)

// Code classifies an error so that callers can react without parsing text.
type Code string

const (
	EINVALID      Code = "invalid"       // input failed validation
	ENOTFOUND     Code = "not_found"     // no such object in this tenant
	ECONFLICT     Code = "conflict"      // the object changed or already exists
	EUNAUTHORIZED Code = "unauthorized"  // not signed in
	EFORBIDDEN    Code = "forbidden"     // signed in, but not allowed
	ERETAINED     Code = "retained"      // deletion refused: the policy requires the record to be kept
	EDENIED       Code = "policy_denied" // the active policy forbids the act
	ETOOMANY      Code = "too_many"      // rate limited
	EINTERNAL     Code = "internal"      // a bug or an unavailable dependency
)

// Error is an error that users see. Message is a catalog message id; Args
// fill its template. Field names the input at fault, if any ("name",
// "row 12, column C").
type Error struct {
	Code    Code
	Message string
	Args    map[string]any
	Field   string
	Err     error // the cause, for logs; never shown to users
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if len(e.Args) > 0 {
		s += fmt.Sprintf(" %v", e.Args)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a user-facing error from a catalog message id.
func Errorf(code Code, message string, args map[string]any) *Error {
	return &Error{Code: code, Message: message, Args: args}
}

// FieldError builds a validation error for one input field.
func FieldError(field, message string, args map[string]any) *Error {
	return &Error{Code: EINVALID, Message: message, Args: args, Field: field}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL for any other error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// AsError returns the first *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Text is a message in both languages mamori speaks.
type Text struct {
	JA string `json:"ja"`
	EN string `json:"en"`
}
