// Package policy holds a municipality's information security policy as data:
// the profile format (YAML), its loader and validator, the CEL rule engine
// behind Decide, and Diff between two versions of a profile.
//
// A profile is written by hand from the policy text (the seeds) and cites,
// for every role, level, rule, record type, duty and obligation, the clause
// it comes from. Load parses it with line:column positions, validates every
// cross-reference, type-checks every CEL condition against the declared facts
// and precompiles the programs, so that Decide is a few table look-ups and a
// handful of precompiled CEL evaluations.
//
// The package is pure: it knows nothing of HTTP, SQL or the other mamori
// packages, so it can be fuzzed and benchmarked on its own.
package policy
