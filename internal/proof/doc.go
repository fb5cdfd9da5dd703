// Package proof holds the tests that hold mamori to its promises under
// pressure (issue 8), across every area at once:
//
//   - crash safety: the real `mamori serve` killed with SIGKILL under write
//     load loses no acknowledged write and leaves none half written;
//   - tamper detection: edits, deletions, insertions and reorderings made
//     directly in the database are each named by `mamori log verify`;
//   - tenant isolation: every route, called by one organization's
//     administrator with another organization's identifiers, is refused
//     and shows none of the other's data;
//   - the authorization matrix: every route against every role of every
//     built-in profile, expected allow or deny computed from the route's
//     declared access and the profile's grants;
//   - a fuzz target that feeds arbitrary bytes to every JSON API decoder.
//
// The tests enumerate routes from the router (web.Server.Routes), so a
// route added later is covered without editing them; where a test needs to
// know something about a new route (which object a path wildcard names) it
// fails and says what to add. docs/proof.md explains how to run them.
//
// The package has no code of its own: everything is in its tests.
package proof
