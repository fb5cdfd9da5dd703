package main

import (
	"errors"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"mamori/internal/policy/policycli"
)

func policyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Inspect, check and ask the policy profiles",
		Long: `Inspect, check and ask policy profiles: the built-in ones (shimojo, fujieda,
kawamata, amakusa) or a profile file.

Exit codes: 0 success; 1 the profile is invalid; 2 a usage error, an unknown
action or an unknown fact (never a silent allow).`,
	}
	for _, sub := range []struct {
		use, short string
		run        func(stdout, stderr io.Writer, args []string) int
	}{
		{"list", "Print one built-in profile name per line", policycli.List},
		{"show NAME|FILE [--format json]", "Print the compiled profile: axes, levels, roles, actions and the facts each reads", policycli.Show},
		{"check NAME|FILE", "Validate a profile; print every error as file:line:column", policycli.Check},
		{"decide --profile NAME|FILE --action ACTION [--fact KEY=VALUE …] [--format json]", "Decide an action: effect, approval route, rules and clauses", policycli.Decide},
		{"diff A B", "List what changed between two profiles or versions (roles, levels, rules, retention …)", policycli.Diff},
	} {
		run := sub.run
		cmd.AddCommand(&cobra.Command{
			Use:                sub.use,
			Short:              sub.short,
			DisableFlagParsing: true, // the policy commands parse their own flags
			RunE: func(cmd *cobra.Command, args []string) error {
				if slices.Contains(args, "--help") || slices.Contains(args, "-h") {
					return cmd.Help()
				}
				if code := run(cmd.OutOrStdout(), cmd.ErrOrStderr(), args); code != 0 {
					return &exitError{code: code, err: errors.New("")}
				}
				return nil
			},
		})
	}
	return cmd
}
