package asset

// Helpers for the external tests (package asset_test), which run against
// real databases through internal/store and so cannot live in this
// package.
var (
	RegisterXLSX = registerXLSX
	SJIS         = sjis
)
