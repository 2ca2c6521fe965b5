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
	"ledgerlink/words"
)

func configCommand(e *env, g *globalFlags) *cobra.Command {
	var secretKey string
	var yes bool
	t := e.words()
	c := &cobra.Command{
		Use:   "config MODULE [KEY[=VALUE]...]",
		Short: t.T("verbs.config.short"),
		Long:  t.T("verbs.config.long"),
		Args:  cobra.MinimumNArgs(1),
	}
	var getAccounts, defaultSetup, administrations bool
	var choicesKey string
	c.Flags().StringVar(&choicesKey, "choices", "", t.T("verbs.config.flag.choices"))
	c.Flags().StringVar(&secretKey, "secret", "", t.T("verbs.config.flag.secret"))
	c.Flags().BoolVar(&getAccounts, "get-accounts", false, t.T("verbs.config.flag.get_accounts"))
	c.Flags().BoolVar(&defaultSetup, "apply-default-setup", false, t.T("verbs.config.flag.apply_default_setup"))
	c.Flags().BoolVar(&administrations, "administrations", false, t.T("verbs.config.flag.administrations"))
	c.Flags().BoolVar(&yes, "yes", false, t.T("verbs.config.flag.yes"))
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
					return codedError{exitSetup, words.Errorf(nil, "verbs.config.no_name", "Argument", a)}
				}
				values[strings.TrimSpace(k)] = v
			}
			if len(values) > 0 && len(show) > 0 {
				return codedError{exitSetup, words.Errorf(nil, "verbs.config.show_or_change")}
			}
			if len(values) > 0 {
				changes, err := w.Modules.Apply(ctx, module, values, yes)
				if err != nil {
					var ce *sync.ConfirmationError
					if errors.As(err, &ce) {
						return codedError{exitSetup, words.Errorf(nil, "verbs.config.confirm", "Warning", ce.Warning)}
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
					fmt.Fprintln(o, strings.TrimSpace(t.T("verbs.config.status", "Light", light(t, st.Light), "Notes", strings.Join(st.Notes, " "))))
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
						return codedError{exitSetup, words.Errorf(nil, "verbs.config.no_setting", "Module", module, "Key", k)}
					}
				}
			}
			if err := e.printer(g).emit(nonNil(list), func(o io.Writer) {
				fmt.Fprintln(o, t.T("verbs.config.header"))
				for _, s := range list {
					fmt.Fprintf(o, "%s\t%s\t%s\n", s.Key, t.Label(s.Label), s.Value)
				}
			}); err != nil {
				return err
			}
			if cfgErr != nil {
				fmt.Fprintln(e.stderr, t.T("verbs.note", "Note", t.Error(cfgErr)))
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
	t := e.words()
	label := t.Label(f.Label)
	return e.printer(g).emit(nonNil(choices), func(o io.Writer) {
		if len(choices) == 0 {
			fmt.Fprintln(o, t.T("verbs.choices.none", "Package", def.Title, "Setting", label))
			return
		}
		fmt.Fprintln(o, t.T("verbs.choices.list", "Package", def.Title, "Setting", label))
		for _, ch := range choices {
			line := ch.Value
			if ch.Label != "" && ch.Label != ch.Value {
				line += "\t" + ch.Label
			}
			if f.CustomFieldsOf != "" {
				if ch.InBusinessFiles {
					line += "\t" + t.T("verbs.choices.in_files")
				} else {
					line += "\t" + t.T("verbs.choices.not_in_files")
				}
			}
			fmt.Fprintln(o, line)
		}
		value := t.T("verbs.choices.value")
		if f.Multiple {
			value += "," + value
		}
		fmt.Fprintln(o, t.T("verbs.choices.set", "Module", module, "Key", key, "Value", value))
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
		return codedError{exitSetup, words.Errorf(nil, "verbs.secret.no_setting", "Module", def.Title, "Key", key)}
	}
	value, err := readSecret(e.stdin)
	if err != nil {
		return codedError{exitSetup, err}
	}
	if err := w.Modules.SetSecret(ctx, module, key, value); err != nil {
		return codedError{exitSetup, err}
	}
	return e.printer(g).emit(map[string]any{"stored": key}, func(o io.Writer) {
		fmt.Fprintln(o, e.words().T("verbs.secret.saved", "Setting", e.words().Label(f.Label)))
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
			return "", words.Errorf(err, "verbs.secret.unreadable")
		}
	}
	s := strings.TrimRight(b.String(), "\r")
	if s == "" {
		return "", words.Errorf(nil, "verbs.secret.none")
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
	t := e.words()
	return e.printer(g).emit(map[string]any{"changes": nonNil(changes), "mappings": nonNil(rows)}, func(o io.Writer) {
		for _, ch := range changes {
			fmt.Fprintln(o, "- "+ch)
		}
		fmt.Fprintln(o, t.T("verbs.mapping.header"))
		for _, r := range rows {
			remote := r.Remote
			if r.RemoteName != "" {
				remote += " (" + r.RemoteName + ")"
			}
			if remote == "" {
				remote = t.T("verbs.mapping.not_mapped")
			}
			fmt.Fprintf(o, "%s\t%s\t%s\t%s\n", r.Kind.LabelIn(t), r.Local, remote, t.Int(int64(r.Pending)))
		}
		if unmapped > 0 {
			fmt.Fprintln(o, t.N("verbs.mapping.unmapped", unmapped, "Module", module))
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
		return codedError{exitSetup, words.Errorf(nil, "verbs.admin.none", "Module", cmp.Or(def.Title, module))}
	}
	companies, err := w.Engine.PayrollCompanies(ctx, module)
	if err != nil {
		return err
	}
	t := e.words()
	return e.printer(g).emit(map[string]any{"administrations": nonNil(admins), "companies": nonNil(companies)}, func(o io.Writer) {
		fmt.Fprintln(o, t.T("verbs.admin.header"))
		for _, a := range admins {
			name := a.Name
			if a.ReadOnly {
				name += " " + t.T("verbs.admin.read_only")
			}
			js := make([]string, len(a.Journals))
			for i, j := range a.Journals {
				js[i] = j.Label()
				if j.Unusable != "" {
					js[i] += " " + t.T("verbs.admin.not_for_payroll")
				}
			}
			fmt.Fprintf(o, "%s\t%s\t%s\n", a.Code, name, strings.Join(js, ", "))
		}
		if len(companies) == 0 {
			fmt.Fprintln(o, "\n"+t.T("verbs.admin.no_companies"))
			return
		}
		fmt.Fprintln(o, "\n"+t.T("verbs.admin.companies_header"))
		for _, c := range companies {
			fmt.Fprintf(o, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Company, t.Int(int64(c.Journals)), t.Int(int64(c.Pending)), cmp.Or(c.Administration, "-"), cmp.Or(c.JournalCode, "-"), c.Problem)
		}
	})
}
