package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
)

func assetCmd(df *dataFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "asset", Short: "The information asset register: import and export"}
	var (
		tenantCode  string
		sheet       string
		encoding    string
		headerRow   int
		headerRows  int
		maps        []string
		values      []string
		defaultKind string
		defaultUnit string
		dryRun      bool
		skipBad     bool
	)
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a register from an .xlsx workbook or a CSV file",
		Long: `Import an information asset register (情報資産管理台帳) from an .xlsx workbook or a
CSV file (UTF-8 with or without BOM, or Shift_JIS). Every row is checked first;
nothing is imported while a row is bad, unless --skip-bad-rows is given. Bad
cells are listed with their row and column. Columns and values are mapped as
mamori proposes unless --map and --value say otherwise:

  --map number=B --map name=C --map level.confidentiality=E --map notes=K,L
  --value level.confidentiality:3=1 --value kind:帳票=paper

The import acts as the command (not as a person) and may register assets of
any unit.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := asset.ImportOptions{Sheet: sheet, Encoding: asset.Encoding(encoding), HeaderRow: headerRow, HeaderRows: headerRows,
				DefaultKind: asset.Kind(defaultKind), DefaultUnit: defaultUnit, SkipBadRows: skipBad}
			if err := parseMaps(&opts, maps, values); err != nil {
				return &exitError{code: 2, err: err}
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return fmt.Errorf("read %s: %w", args[0], err)
			}
			st, ctx, pol, err := openTenant(cmd.Context(), df, tenantCode, "mamori asset import")
			if err != nil {
				return err
			}
			defer st.Close()
			svc := asset.NewService(st, directory.NewService(st))
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			start := time.Now()
			fmt.Fprintf(errOut, "reading and checking %s …\n", args[0])
			plan, err := svc.Plan(ctx, pol, commandActor(), filepath.Base(args[0]), data, opts)
			if err != nil {
				return err
			}
			printPlan(out, plan)
			if dryRun {
				if plan.BadRows > 0 {
					return &exitError{code: 1, err: fmt.Errorf("%d rows have errors; nothing was imported (dry run)", plan.BadRows)}
				}
				return nil
			}
			if plan.BadRows > 0 && !skipBad {
				return &exitError{code: 1, err: fmt.Errorf("%d rows have errors; nothing was imported (correct them, or use --skip-bad-rows)", plan.BadRows)}
			}
			err = svc.Commit(ctx, pol, plan, progress(errOut, time.Now()))
			if err != nil {
				return err
			}
			n := 0
			if plan.Batch != nil {
				n = len(plan.Batch.Items)
			}
			fmt.Fprintf(out, "imported %d assets in %s (%d to classify); %d bad rows left out\n",
				n, time.Since(start).Round(time.Millisecond), plan.ToClassify, plan.BadRows)
			return nil
		},
	}
	imp.Flags().StringVar(&tenantCode, "tenant", "", "organization code (required)")
	imp.Flags().StringVar(&sheet, "sheet", "", "sheet of the workbook (default: the first that looks like a register)")
	imp.Flags().StringVar(&encoding, "encoding", "", "encoding of a CSV file: utf-8 or shift_jis (default: detect)")
	imp.Flags().IntVar(&headerRow, "header-row", 0, "row number of the (last) header row (default: detect)")
	imp.Flags().IntVar(&headerRows, "header-rows", 0, "header rows: 1 or 2 (with --header-row)")
	imp.Flags().StringArrayVar(&maps, "map", nil, "FIELD=COLUMN: read FIELD from COLUMN (repeatable)")
	imp.Flags().StringArrayVar(&values, "value", nil, "FIELD:VALUE=MEANING: what a value of FIELD means (repeatable)")
	imp.Flags().StringVar(&defaultKind, "default-kind", "", "kind of rows without one (default information)")
	imp.Flags().StringVar(&defaultUnit, "default-unit", "", "unit (code or name) of rows without one")
	imp.Flags().BoolVar(&dryRun, "dry-run", false, "check only; import nothing")
	imp.Flags().BoolVar(&skipBad, "skip-bad-rows", false, "import the good rows and leave the bad ones out")
	imp.MarkFlagRequired("tenant")

	var format string
	var output string
	exp := &cobra.Command{
		Use:   "export",
		Short: "Export the register as .xlsx or CSV",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, ctx, pol, err := openTenant(cmd.Context(), df, tenantCode, "mamori asset export")
			if err != nil {
				return err
			}
			defer st.Close()
			var w io.Writer = cmd.OutOrStdout()
			if output != "" && output != "-" {
				f, err := os.Create(output)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			svc := asset.NewService(st, directory.NewService(st))
			n, err := svc.Export(ctx, pol, asset.Filter{}, asset.Format(format), cliLabels{}, w)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %d assets\n", n)
			return nil
		},
	}
	exp.Flags().StringVar(&tenantCode, "tenant", "", "organization code (required)")
	exp.Flags().StringVar(&format, "format", "xlsx", "xlsx, csv (UTF-8 with BOM) or csv-sjis (Shift_JIS)")
	exp.Flags().StringVarP(&output, "output", "o", "", "file to write (default: standard output)")
	exp.MarkFlagRequired("tenant")
	cmd.AddCommand(imp, exp)
	return cmd
}

// openTenant opens the database and the organization with its active
// policy, acting as the command.
func openTenant(ctx context.Context, df *dataFlags, code, label string) (*store.Store, context.Context, *policy.Policy, error) {
	st, _, err := setup.Open(ctx, df.location())
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := st.TenantBySlug(ctx, code)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.ID, ActorLabel: label, RequestID: "cli"})
	pv, err := st.ActivePolicy(tctx)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	pol, err := policy.Load(pv.Profile+".yaml", []byte(pv.Source))
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return st, tctx, pol, nil
}

// commandActor may do everything: the operator at the server's console.
func commandActor() asset.Actor {
	return asset.Actor{Can: func(policy.Permission) bool { return true }}
}

// parseMaps reads --map and --value.
func parseMaps(opts *asset.ImportOptions, maps, values []string) error {
	for _, m := range maps {
		field, col, ok := strings.Cut(m, "=")
		if !ok || field == "" {
			return fmt.Errorf("--map %q: want FIELD=COLUMN", m)
		}
		if opts.Columns == nil {
			opts.Columns = map[string]string{}
		}
		opts.Columns[strings.TrimSpace(field)] = strings.TrimSpace(col)
	}
	for _, v := range values {
		left, meaning, ok := strings.Cut(v, "=")
		field, value, ok2 := strings.Cut(left, ":")
		if !ok || !ok2 || field == "" {
			return fmt.Errorf("--value %q: want FIELD:VALUE=MEANING", v)
		}
		if opts.Values == nil {
			opts.Values = map[string]map[string]string{}
		}
		if opts.Values[field] == nil {
			opts.Values[field] = map[string]string{}
		}
		opts.Values[field][value] = meaning
	}
	return nil
}

// printPlan prints the check: the mapping and each bad cell with its row
// and column, in Japanese and English.
func printPlan(w io.Writer, p *asset.Plan) {
	cat := i18n.Default()
	fmt.Fprintf(w, "%s: %s", p.FileName, p.Format)
	if p.Sheet != "" {
		fmt.Fprintf(w, ", sheet %q", p.Sheet)
	}
	if p.Encoding != "" && p.Encoding != asset.EncXLSX {
		fmt.Fprintf(w, ", %s", p.Encoding)
	}
	fmt.Fprintf(w, ", header row %d\n", p.Header.Row)
	var cols []string
	for _, f := range p.Fields {
		if l := p.Letters(f); l != "" {
			cols = append(cols, string(f)+"="+l)
		}
	}
	fmt.Fprintf(w, "columns: %s\n", strings.Join(cols, " "))
	for _, vm := range p.Values {
		var vs []string
		for _, v := range vm.Values {
			t := v.Target
			if t == "" {
				t = "?"
			}
			vs = append(vs, fmt.Sprintf("%s→%s", v.Value, t))
		}
		fmt.Fprintf(w, "values of %s: %s\n", vm.Field, strings.Join(vs, " "))
	}
	const shown = 200
	for i, is := range p.Issues {
		if i == shown {
			fmt.Fprintf(w, "… %d more\n", len(p.Issues)-shown)
			break
		}
		kind := "error"
		if is.Warning {
			kind = "warning"
		}
		col := is.Column
		if col == "" {
			col = "-"
		}
		fmt.Fprintf(w, "row %d, column %s: %s: %s / %s\n", is.Row, col, kind, cat.T("ja", is.Message, is.Args), cat.T("en", is.Message, is.Args))
	}
	fmt.Fprintln(w, p.String())
}

// progress reports a commit's progress on w: a line every 10% (or 5,000
// rows) with the rate so far.
func progress(w io.Writer, start time.Time) func(done, total int) {
	next := 0
	return func(done, total int) {
		if done < next && done < total {
			return
		}
		step := max(total/10, 5000)
		next = done + step
		rate := float64(done) / time.Since(start).Seconds()
		fmt.Fprintf(w, "stored %d / %d rows (%d%%, %.0f rows/s)\n", done, total, done*100/max(total, 1), rate)
	}
}

// cliLabels writes exports with Japanese headers, as registers have them.
type cliLabels struct{}

func (cliLabels) T(id string) string { return i18n.Default().T("ja", id, nil) }
