package uniconta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta/unicontasim"
	"ledgerlink/words"
)

// ErrAPIKeyFormat says the API key is not a GUID as Uniconta issues them.
// The WebAPI itself takes no API key, so this is the only check of it.
var ErrAPIKeyFormat = own.Fail(nil, "uniconta.signin.api_key_form")

// signIn checks the four credentials and returns the companies the login
// reaches, each with the settings to save to use it. It says in plain words
// which credential is wrong where Uniconta tells: the username and
// password together (Uniconta does not say which), the Firma ID, and the
// API key's form.
func signIn(ctx context.Context, cfg connectors.Config, _ connectors.Prompt) ([]connectors.Organisation, error) {
	if cfg.Settings == nil {
		cfg.Settings = map[string]string{}
	}
	s, err := readSettings(cfg)
	if err != nil {
		return nil, err
	}
	c := &Conn{settings: s, hc: cfg.HTTPClient, log: cfg.Logger, pageSize: listPage, groups: map[string]string{}}
	c.now = time.Now
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if cfg.Sandbox {
		if err := c.openSandbox(cfg); err != nil {
			return nil, err
		}
		defer c.Close()
	} else {
		if cfg.Secrets == nil {
			return nil, own.Fail(nil, "uniconta.signin.no_keyring")
		}
		if s.username == "" {
			return nil, own.Fail(nil, "uniconta.signin.enter_username")
		}
		if c.password, err = readSecret(ctx, cfg, SecretPassword); err != nil {
			return nil, err
		}
		if c.password == "" {
			return nil, own.Fail(nil, "uniconta.signin.enter_password")
		}
		key, err := readSecret(ctx, cfg, SecretAPIKey)
		if err != nil {
			return nil, err
		}
		if key != "" && !apiKeyPattern.MatchString(key) {
			return nil, ErrAPIKeyFormat
		}
	}
	return c.organisations(ctx)
}

// organisations signs in (to the chosen company when a Firma ID is set)
// and lists the companies the login reaches.
func (c *Conn) organisations(ctx context.Context) ([]connectors.Organisation, error) {
	t, err := c.login(ctx, c.settings.companyID)
	if err != nil {
		return nil, err
	}
	c.tokMu.Lock()
	c.tok = t
	c.tokMu.Unlock()
	var cos []companyInfo
	if err := c.query(ctx, "CompanyClient", nil, &cos); err != nil || len(cos) == 0 {
		// Not every WebAPI user may list companies: fall back to the one
		// chosen, which the sign-in has proved.
		if c.settings.companyID == 0 {
			if err == nil {
				err = companyError(0)
			}
			return nil, own.Fail(err, "uniconta.signin.no_companies")
		}
		co, cerr := c.changeCompany(ctx)
		if cerr != nil {
			return nil, cerr
		}
		cos = []companyInfo{co}
	}
	sort.SliceStable(cos, func(i, j int) bool { return cos[i].ID == c.settings.companyID && cos[j].ID != c.settings.companyID })
	out := make([]connectors.Organisation, 0, len(cos))
	for _, co := range cos {
		id := strconv.Itoa(co.ID)
		out = append(out, connectors.Organisation{ID: id, Name: co.Name,
			Settings: map[string]string{KeyCompanyID: id, KeyCompanyName: co.Name, KeyUsername: c.settings.username}})
	}
	return out, nil
}

func sandbox() *connectors.Sandbox {
	return &connectors.Sandbox{
		Settings: map[string]string{
			KeyUsername: unicontasim.SandboxUser, KeyCompanyID: strconv.Itoa(unicontasim.SandboxCompany),
			KeyBankAccount: "090", KeyCustomFields: "LoyaltyTier,PreferredRoast",
		},
		Limits: connectors.Limits{PerDay: 50000, Concurrent: 4},
	}
}

func simulator(opts connectors.SimulatorOptions) (connectors.Simulator, error) {
	o := []unicontasim.Option{unicontasim.WithAutoDelivery(2 * time.Second)}
	if opts.StateFile != "" {
		o = append(o, unicontasim.WithStateFile(opts.StateFile))
	}
	if opts.Logger != nil {
		o = append(o, unicontasim.WithLogger(opts.Logger))
	}
	return unicontasim.New(o...)
}

// CustomFieldNotes compares the custom field names the module carries with
// those Uniconta holds on debtors and says, for each that is not on both
// sides, what differs (case, spaces) so the person can correct the name.
// The notes are sentences for the face to say in the reader's language.
func (c *Conn) CustomFieldNotes(ctx context.Context, localNames []string) ([]words.Text, error) {
	types, err := c.customTypes(ctx)
	if err != nil {
		return nil, err
	}
	local := map[string]bool{}
	for _, n := range localNames {
		local[n] = true
	}
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	sortedLocal := append([]string(nil), localNames...)
	sort.Strings(sortedLocal)
	var notes []words.Text
	for _, want := range c.settings.customFields {
		if _, ok := types[want]; !ok {
			if near := nearest(want, names); near != "" {
				notes = append(notes, words.Sentence("uniconta.field.misspelt_in_uniconta", "Name", want, "Near", near))
			} else {
				notes = append(notes, words.Sentence("uniconta.field.missing_in_uniconta", "Name", want))
			}
		}
		if localNames != nil && !local[want] {
			if near := nearest(want, sortedLocal); near != "" {
				notes = append(notes, words.Sentence("uniconta.field.misspelt_in_files", "Name", want, "Near", near))
			} else {
				notes = append(notes, words.Sentence("uniconta.field.missing_in_files", "Name", want))
			}
		}
	}
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].String() < notes[j].String() })
	return notes, nil
}

// nearest is the first of names that differs from want only in case,
// spaces, dashes or underscores ("" when none does).
func nearest(want string, names []string) string {
	squash := func(s string) string {
		return strings.ToLower(strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s))
	}
	for _, n := range names {
		if squash(n) == squash(want) {
			return n
		}
	}
	return ""
}

// disconnect forgets the password and API key. Uniconta's access is the
// user's own login, which the WebAPI cannot withdraw; the person changes
// the password or removes the user in Uniconta for that.
func disconnect(ctx context.Context, cfg connectors.Config) error {
	if cfg.Secrets == nil {
		return own.Fail(nil, "uniconta.signin.nothing_forgotten")
	}
	for _, key := range []string{SecretPassword, SecretAPIKey} {
		if err := cfg.Secrets.Delete(ctx, key); err != nil && !errors.Is(err, connectors.ErrSecretNotFound) {
			return fmt.Errorf("forgetting the Uniconta %s: %w", key, err)
		}
	}
	return nil
}
