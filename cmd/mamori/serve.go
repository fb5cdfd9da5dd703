package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"mamori/internal/demo"
	"mamori/internal/setup"
	"mamori/internal/store"
	"mamori/internal/web"
)

func serveCmd(df *dataFlags) *cobra.Command {
	var addr, profile, slug, name, logLevel, demoProfile string
	var secure bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the mamori server",
		Long: `Run the mamori server. On first start it creates the data directory and an
embedded SQLite database, a first organization, and an administrator whose
one-time password is printed once and must be changed at first sign-in.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := newLogger(logLevel)
			st, applied, err := setup.Open(ctx, df.location())
			if err != nil {
				return err
			}
			defer st.Close()
			if len(applied) > 0 {
				log.Info("database migrated", "migrations", applied, "database", st.Target())
			}
			if demoProfile != "" {
				profile = demoProfile
			}
			first, err := setup.FirstRun(ctx, st, slug, name, profile)
			if err != nil {
				return err
			}
			var filled *demo.Demo
			if demoProfile != "" {
				if filled, err = fillDemo(ctx, st); errors.Is(err, demo.ErrNotEmpty) {
					log.Info("demo data not filled: the first organization already has data")
				} else if err != nil {
					return err
				}
			}
			srv, err := web.New(web.Config{Addr: addr, SecureCookies: secure, Version: version()}, st, log)
			if err != nil {
				return err
			}
			return srv.ListenAndServe(ctx, func(bound string) {
				out := cmd.OutOrStdout()
				fmt.Fprintf(out, "mamori %s is serving http://%s/ (database: %s)\n", version(), bound, st.Target())
				if first != nil {
					printNewTenant(out, first)
				}
				if filled != nil {
					filled.Summary(out)
				}
			})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envOr("MAMORI_ADDR", "127.0.0.1:8080"), "address to listen on (env MAMORI_ADDR)")
	cmd.Flags().StringVar(&profile, "profile", "shimojo", "policy profile of the first organization (mamori policy list)")
	cmd.Flags().StringVar(&slug, "tenant", "default", "code of the first organization")
	cmd.Flags().StringVar(&name, "tenant-name", "mamori", "name of the first organization")
	cmd.Flags().BoolVar(&secure, "secure-cookies", os.Getenv("MAMORI_SECURE_COOKIES") == "1", "mark cookies Secure (set when users reach mamori over HTTPS)")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	cmd.Flags().StringVar(&demoProfile, "demo", "", "fill the first organization with demo data for this policy profile (sets --profile)")
	return cmd
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// fillDemo fills the first organization with demo data (--demo).
func fillDemo(ctx context.Context, st *store.Store) (*demo.Demo, error) {
	ts, err := st.Tenants(ctx)
	if err != nil || len(ts) == 0 {
		return nil, fmt.Errorf("demo: no organization to fill: %v", err)
	}
	return demo.Fill(ctx, st, ts[0].ID)
}
