package store

import "mamori/internal/directory"

// The store implements the interfaces the directory declares.
var (
	_ directory.Store         = (*Store)(nil)
	_ directory.RoleStore     = (*Store)(nil)
	_ directory.TransferStore = (*Store)(nil)
)
