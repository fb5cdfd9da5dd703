package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"mamori/internal/setup"
)

func tenantCmd(df *dataFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Short: "Create and list organizations (tenants)"}
	var name, profile string
	create := &cobra.Command{
		Use:   "create CODE",
		Short: "Create an organization with its first administrator",
		Long:  "Create an organization under a built-in policy profile. Its administrator's one-time password is printed once.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			if name == "" {
				name = args[0]
			}
			nt, err := setup.CreateTenant(cmd.Context(), st, args[0], name, profile)
			if err != nil {
				return err
			}
			printNewTenant(cmd.OutOrStdout(), nt)
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "name of the organization (default: the code)")
	create.Flags().StringVar(&profile, "profile", "shimojo", "policy profile (mamori policy list)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the organizations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			ts, err := st.Tenants(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCODE\tNAME\tCREATED (UTC)")
			for _, t := range ts {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", t.ID, t.Slug, t.Name, t.CreatedAt.UTC().Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}
	activate := &cobra.Command{
		Use:   "activate-policy CODE NAME|FILE",
		Short: "Validate a policy profile and make it the organization's active version",
		Long:  "Validate a built-in profile or a profile file and adopt it as the organization's new active policy version.\nEarlier records keep the version they were decided under.",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := setup.Open(cmd.Context(), df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			pol, err := setup.ActivatePolicy(cmd.Context(), st, args[0], args[1])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s now follows %s version %s (sha256 %s)\n", args[0], pol.ID(), pol.Version(), pol.Hash())
			return nil
		},
	}
	cmd.AddCommand(create, list, activate)
	return cmd
}

func printNewTenant(w io.Writer, nt *setup.NewTenant) {
	fmt.Fprintf(w, "\nOrganization %q (code %s) was created under the policy profile %s.\n", nt.Tenant.Name, nt.Tenant.Slug, nt.Profile)
	fmt.Fprintf(w, "Sign in as %q with this one-time password; you will be asked to change it:\n\n    %s\n\n", nt.AdminLogin, nt.AdminPassword)
	fmt.Fprintf(w, "組織「%s」（団体コード %s）をポリシー %s で作成しました。\nログインID %q と上の仮パスワードでサインインし、パスワードを変更してください。この仮パスワードは再表示されません。\n\n", nt.Tenant.Name, nt.Tenant.Slug, nt.Profile, nt.AdminLogin)
}
