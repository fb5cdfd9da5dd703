package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"mamori/internal/setup"
)

func migrateCmd(df *dataFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		Long:  "Apply every pending migration in one transaction: on failure the database is left as it was.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, applied, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			v, _, _ := st.SchemaVersion(cmd.Context())
			if len(applied) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s is up to date (schema %d)\n", st.Target(), v)
				return nil
			}
			for _, m := range applied {
				fmt.Fprintln(cmd.OutOrStdout(), "applied", m)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is at schema %d\n", st.Target(), v)
			return nil
		},
	}
}

func logCmd(df *dataFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "log", Short: "Check the tamper-evident event log"}
	var anchors string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Verify every organization's event chain and stored records",
		Long: `Verify recomputes every organization's SHA-256 event chain and compares each
stored record with the state its last event recorded. With --anchors it also
checks chain heads written down earlier with "mamori log head". It exits 0 when
all hold and 1, naming the first broken event, when one does not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			reps, err := st.Verify(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			broken := 0
			for _, r := range reps {
				if r.Break != nil {
					broken++
					fmt.Fprintf(out, "BROKEN %s: %v\n", r.Slug, r.Break)
					continue
				}
				fmt.Fprintf(out, "ok     %s: %d events, %d records\n", r.Slug, r.Events, r.Rows)
			}
			if anchors != "" {
				f, err := os.Open(anchors)
				if err != nil {
					return fmt.Errorf("read anchors: %w", err)
				}
				defer f.Close()
				res, err := setup.CheckAnchors(cmd.Context(), st, f)
				if err != nil {
					return err
				}
				for _, a := range res {
					if !a.OK {
						broken++
						fmt.Fprintf(out, "BROKEN %s: anchor on line %d: %s\n", a.Slug, a.Line, a.Why)
						continue
					}
					fmt.Fprintf(out, "ok     %s: event %d matches the anchor on line %d\n", a.Slug, a.Seq, a.Line)
				}
			}
			if broken > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d problems found in the log", broken)}
			}
			return nil
		},
	}
	verify.Flags().StringVar(&anchors, "anchors", "", "file of chain heads written earlier by mamori log head")
	head := &cobra.Command{
		Use:   "head",
		Short: "Print every organization's chain head, to keep outside the database",
		Long: `Head prints each organization's newest event number and hash. Kept outside the
database — printed and filed, mailed, stored in another system — these lines let
"mamori log verify --anchors FILE" prove later that the chain up to them was not
rewritten, even by someone able to recompute every hash in the database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			return setup.WriteHeads(cmd.Context(), st, cmd.OutOrStdout())
		},
	}
	cmd.AddCommand(verify, head)
	return cmd
}

func backupCmd(df *dataFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database, also while the server runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			guidance, err := setup.Backup(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			if guidance != "" {
				fmt.Fprintln(cmd.OutOrStdout(), guidance)
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), "backup written to", args[0])
			return nil
		},
	}
}

func purgeCmd(df *dataFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "purge",
		Short: "Delete records whose retention period has ended",
		Long:  "Delete, in every organization, the records whose keep-until date has passed. Each deletion is recorded in the event log.\nThe server also does this by itself every 15 minutes.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := setup.PurgeExpired(cmd.Context(), st)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d expired records purged\n", n)
			return nil
		},
	}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print mamori's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "mamori", version())
		},
	}
}

// buildVersion is set at link time (-ldflags "-X main.buildVersion=v1.2.3").
var buildVersion = ""

func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "-dirty"
			}
			return "dev-" + rev
		}
	}
	return "dev"
}
