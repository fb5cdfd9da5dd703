package store

// PredictFallbacks is how many imports read their rows back because a
// predicted row hash did not match (assets_import.go).
func PredictFallbacks() int64 { return predictFallbacks.Load() }
