// Command mamori runs a municipality's information security policy: the
// server, and the commands that set it up and check it. Each subcommand
// parses its flags and calls into internal/.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"mamori"
	"mamori/internal/i18n"
	"mamori/internal/setup"
)

// exitError carries a chosen exit status (1: a check failed; 2: bad use).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := newRoot()
	if err := root.Execute(); err != nil {
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if msg := message(err); msg != "" {
			fmt.Fprintln(os.Stderr, "mamori:", msg)
		}
		os.Exit(code)
	}
}

// flags shared by the commands that touch data.
type dataFlags struct {
	dataDir string
	db      string
}

func (f *dataFlags) location() setup.Location {
	return setup.Location{DataDir: f.dataDir, DB: f.db}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "mamori",
		Short:         "mamori (守り) runs a municipality's information security policy",
		Long:          "mamori (守り) turns a municipality's information security policy into working processes:\nthe information asset register, requests and approvals, incidents, and a tamper-evident record of all of it.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	df := &dataFlags{}
	root.PersistentFlags().StringVar(&df.dataDir, "data", envOr("MAMORI_DATA", "mamori-data"), "data directory (env MAMORI_DATA)")
	root.PersistentFlags().StringVar(&df.db, "db", os.Getenv("MAMORI_DB"), "database URL: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB (env MAMORI_DB; default: the SQLite file in the data directory)")
	root.AddCommand(
		serveCmd(df),
		migrateCmd(df),
		tenantCmd(df),
		logCmd(df),
		backupCmd(df),
		policyCmd(),
		purgeCmd(df),
		versionCmd(),
		assetCmd(df),
	)
	return root
}

// message renders an error for the terminal: a mamori error in Japanese
// and English from the catalogs, anything else as it is.
func message(err error) string {
	if e, ok := mamori.AsError(err); ok {
		cat := i18n.Default()
		return cat.ErrorText("ja", e) + " / " + cat.ErrorText("en", e)
	}
	return err.Error()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
