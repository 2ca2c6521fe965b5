package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"ledgerlink/sync"
	"ledgerlink/sync/workspace"
)

func configCommand(e *env, g *globalFlags) *cobra.Command {
	var secretKey string
	var yes bool
	c := &cobra.Command{
		Use:   "config MODULE [KEY[=VALUE]...]",
		Short: "Show or change a module's settings",
		Long: `Show or change a module's settings.

  ledgerlink config MODULE                        show every setting
  ledgerlink config MODULE timing.mode            show one
  ledgerlink config MODULE timing.mode=daily timing.hour=2
  ledgerlink config MODULE sync.upload.sales_invoice=new
  ledgerlink config MODULE map.nominal.200=4000 opt.multi_currency=true
  ledgerlink config MODULE --secret client_secret read a secret from standard input
  ledgerlink config MODULE --administrations      list the administrations and journals
                                                  the package reaches, and the payroll
                                                  companies mapped to them
  ledgerlink config MODULE map.company.X=ADMIN map.journalcode.X=JOURNAL
  ledgerlink config MODULE --choices opt.customer_tag  list the values the package offers

Sync levels are off, new (new records only) and new+updated. Raising a
LedgerLink → accounting package level to new+updated changes your books and
needs --yes. Every value is checked first; one bad value changes nothing.
Secrets are never accepted on the command line.`,
		Args: cobra.MinimumNArgs(1),
	}
	var getAccounts, defaultSetup, administrations bool
	var choicesKey string
	c.Flags().StringVar(&choicesKey, "choices", "", "list the values the accounting package offers for the setting KEY (a customer tag, custom fields)")
	c.Flags().StringVar(&secretKey, "secret", "", "store the secret setting KEY, read from standard input, in the system keyring")
	c.Flags().BoolVar(&getAccounts, "get-accounts", false, "read the accounting package's accounts, tax rates and bank accounts now (Get Nominal & Tax Accounts)")
	c.Flags().BoolVar(&defaultSetup, "apply-default-setup", false, "map every unmapped code to the package's code of the same name (Apply Default Setup)")
	c.Flags().BoolVar(&administrations, "administrations", false, "list the administrations and journals the package reaches and the payroll companies mapped to them (fetched first when never fetched, or with --get-accounts)")
	c.Flags().BoolVar(&yes, "yes", false, "confirm a change that alters the books")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			if secretKey != "" {
				return e.storeSecret(ctx, w, g, module, secretKey)
			}
			if choicesKey != "" {
				return e.showChoices(ctx, w, g, module, choicesKey)
			}
			if administrations {
				return e.listAdministrations(ctx, w, g, module, getAccounts)
			}
			if getAccounts || defaultSetup {
				return e.mappingSetup(ctx, w, g, module, getAccounts, defaultSetup)
			}
			values := map[string]string{}
			var show []string
			for _, a := range args[1:] {
				k, v, ok := strings.Cut(a, "=")
				if !ok {
					show = append(show, a)
					continue
				}
				if strings.TrimSpace(k) == "" {
					return codedError{exitSetup, fmt.Errorf("%q has no setting name before '='", a)}
				}
				values[strings.TrimSpace(k)] = v
			}
			if len(values) > 0 && len(show) > 0 {
				return codedError{exitSetup, errors.New("either show settings (KEY) or change them (KEY=VALUE), not both at once")}
			}
			if len(values) > 0 {
				changes, err := w.Modules.Apply(ctx, module, values, yes)
				if err != nil {
					var ce *sync.ConfirmationError
					if errors.As(err, &ce) {
						return codedError{exitSetup, fmt.Errorf("%s\nRun again with --yes to confirm", ce.Warning)}
					}
					return codedError{exitSetup, err}
				}
				st, err := w.Modules.Status(ctx, module)
				if err != nil {
					return err
				}
				return e.printer(g).emit(map[string]any{"changes": nonNil(changes), "module": st}, func(o io.Writer) {
					for _, ch := range changes {
						fmt.Fprintln(o, "- "+ch)
					}
					fmt.Fprintf(o, "Status: %s. %s\n", st.Light, strings.Join(st.Notes, " "))
				})
			}
			all, cfgErr := w.Modules.Config(ctx, module)
			if cfgErr != nil && all == nil {
				return cfgErr
			}
			list := all
			if len(show) > 0 {
				list = nil
				for _, k := range show {
					found := false
					for _, s := range all {
						if s.Key == k {
							list = append(list, s)
							found = true
						}
					}
					if !found {
						return codedError{exitSetup, fmt.Errorf("%s has no setting %q; run ledgerlink config %s to see them all", module, k, module)}
					}
				}
			}
			if err := e.printer(g).emit(nonNil(list), func(o io.Writer) {
				fmt.Fprintln(o, "KEY\tSETTING\tVALUE")
				for _, s := range list {
					fmt.Fprintf(o, "%s\t%s\t%s\n", s.Key, s.Label, s.Value)
				}
			}); err != nil {
				return err
			}
			if cfgErr != nil {
				fmt.Fprintln(e.stderr, "Note:", cfgErr)
			}
			return nil
		})(cmd, args)
	}
	return c
}

// showChoices lists the values the module's package offers for one
// setting, as the window's "Fetch from …" fills its drop-down.
func (e *env) showChoices(ctx context.Context, w *workspace.Workspace, g *globalFlags, module, key string) error {
	def, err := w.Modules.Definition(module)
	if err != nil {
		return setupError(err)
	}
	choices, err := w.Engine.SettingChoices(ctx, module, key)
	if err != nil {
		if errors.Is(err, sync.ErrNoChoices) {
			return codedError{exitSetup, err}
		}
		return err
	}
	f, _ := def.Field(key)
	return e.printer(g).emit(nonNil(choices), func(o io.Writer) {
		if len(choices) == 0 {
			fmt.Fprintf(o, "%s offers no values for %s.\n", def.Title, f.Label)
			return
		}
		fmt.Fprintf(o, "%s offers for %s:\n", def.Title, f.Label)
		for _, ch := range choices {
			line := ch.Value
			if ch.Label != "" && ch.Label != ch.Value {
				line += "\t" + ch.Label
			}
			if f.CustomFieldsOf != "" {
				if ch.InBusinessFiles {
					line += "\tin your business files too"
				} else {
					line += "\tnot in your business files"
				}
			}
			fmt.Fprintln(o, line)
		}
		sep := "VALUE"
		if f.Multiple {
			sep = "VALUE,VALUE"
		}
		fmt.Fprintf(o, "Set it with: ledgerlink config %s %s=%s\n", module, key, sep)
	})
}

// storeSecret reads one secret setting from standard input into the keyring.
func (e *env) storeSecret(ctx context.Context, w *workspace.Workspace, g *globalFlags, module, key string) error {
	def, err := w.Modules.Definition(module)
	if err != nil {
		return setupError(err)
	}
	f, ok := def.Field(key)
	if !ok || !f.Secret {
		return codedError{exitSetup, fmt.Errorf("%s has no secret setting %q", def.Title, key)}
	}
	value, err := readSecret(e.stdin)
	if err != nil {
		return codedError{exitSetup, err}
	}
	if err := w.Modules.SetSecret(ctx, module, key, value); err != nil {
		return codedError{exitSetup, err}
	}
	return e.printer(g).emit(map[string]any{"stored": key}, func(o io.Writer) {
		fmt.Fprintf(o, "%s is saved in the system keyring.\n", f.Label)
	})
}

// readSecret reads one line from r, without its line ending.
func readSecret(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 64<<10 {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", fmt.Errorf("could not read the secret from standard input: %w", err)
		}
	}
	s := strings.TrimRight(b.String(), "\r")
	if s == "" {
		return "", errors.New("no secret was given on standard input")
	}
	return s, nil
}

// mappingSetup fetches the package's chart and/or maps same-named codes,
// then shows the Mapping tab's rows.
func (e *env) mappingSetup(ctx context.Context, w *workspace.Workspace, g *globalFlags, module string, fetch, apply bool) error {
	if fetch {
		rep, err := w.Engine.FetchChart(ctx, module)
		if err != nil {
			return codedError{exitSetup, err}
		}
		if len(rep.Errors) > 0 {
			return codedError{exitSetup, errors.New(strings.Join(rep.Errors, "; "))}
		}
	}
	var changes []string
	if apply {
		var err error
		if changes, err = w.Engine.ApplyDefaultSetup(ctx, w.Modules, module); err != nil {
			return codedError{exitSetup, err}
		}
	}
	rows, err := w.Engine.Mappings(ctx, module)
	if err != nil {
		return err
	}
	unmapped := 0
	for _, r := range rows {
		if r.Remote == "" && r.Pending > 0 {
			unmapped++
		}
	}
	return e.printer(g).emit(map[string]any{"changes": nonNil(changes), "mappings": nonNil(rows)}, func(o io.Writer) {
		for _, ch := range changes {
			fmt.Fprintln(o, "- "+ch)
		}
		fmt.Fprintln(o, "KIND\tLOCAL\tMAPPED TO\tWAITING DOCUMENTS")
		for _, r := range rows {
			remote := r.Remote
			if r.RemoteName != "" {
				remote += " (" + r.RemoteName + ")"
			}
			if remote == "" {
				remote = "NOT MAPPED"
			}
			fmt.Fprintf(o, "%s\t%s\t%s\t%d\n", r.Kind.Label(), r.Local, remote, r.Pending)
		}
		if unmapped > 0 {
			fmt.Fprintf(o, "%d code(s) used by waiting documents are not mapped: map them with ledgerlink config %s map.nominal.CODE=ACCOUNT (or map.tax., map.bank.).\n", unmapped, module)
		}
	})
}

// listAdministrations shows the administrations the package reaches, each
// with its journals, and every payroll company with its mapping. The list
// is fetched (with the chart of accounts) when it never was, or when fetch
// is set.
func (e *env) listAdministrations(ctx context.Context, w *workspace.Workspace, g *globalFlags, module string, fetch bool) error {
	admins, known, err := w.Engine.Administrations(ctx, module)
	if err != nil {
		return err
	}
	if fetch || !known {
		rep, err := w.Engine.FetchChart(ctx, module)
		if err != nil {
			return codedError{exitSetup, err}
		}
		if len(rep.Errors) > 0 {
			return codedError{exitSetup, errors.New(strings.Join(rep.Errors, "; "))}
		}
		if admins, known, err = w.Engine.Administrations(ctx, module); err != nil {
			return err
		}
	}
	if !known {
		def, _ := w.Modules.Definition(module)
		return codedError{exitSetup, fmt.Errorf("%s has no administrations to choose from: each company's journals go to the one organisation it is connected to", cmp.Or(def.Title, module))}
	}
	companies, err := w.Engine.PayrollCompanies(ctx, module)
	if err != nil {
		return err
	}
	return e.printer(g).emit(map[string]any{"administrations": nonNil(admins), "companies": nonNil(companies)}, func(o io.Writer) {
		fmt.Fprintln(o, "ADMINISTRATION\tNAME\tJOURNALS")
		for _, a := range admins {
			name := a.Name
			if a.ReadOnly {
				name += " (read only)"
			}
			js := make([]string, len(a.Journals))
			for i, j := range a.Journals {
				js[i] = j.Label()
				if j.Unusable != "" {
					js[i] += " (not for payroll)"
				}
			}
			fmt.Fprintf(o, "%s\t%s\t%s\n", a.Code, name, strings.Join(js, ", "))
		}
		if len(companies) == 0 {
			fmt.Fprintln(o, "\nNo payroll journals are imported yet; the companies they name are mapped with map.company.COMPANY=ADMINISTRATION map.journalcode.COMPANY=JOURNAL.")
			return
		}
		fmt.Fprintln(o, "\nPAYROLL COMPANY\tJOURNALS\tWAITING\tADMINISTRATION\tJOURNAL\tPROBLEM")
		for _, c := range companies {
			fmt.Fprintf(o, "%s\t%d\t%d\t%s\t%s\t%s\n", c.Company, c.Journals, c.Pending, cmp.Or(c.Administration, "-"), cmp.Or(c.JournalCode, "-"), c.Problem)
		}
	})
}
