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
)

// ErrAPIKeyFormat says the API key is not a GUID as Uniconta issues them.
// The WebAPI itself takes no API key, so this is the only check of it.
var ErrAPIKeyFormat = errors.New("the Uniconta API key is not in the form Uniconta issues (8-4-4-4-12 letters and digits, like 1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f)")

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
			return nil, errors.New("the system keyring is not available: LedgerLink keeps the Uniconta password there")
		}
		if s.username == "" {
			return nil, errors.New("enter the Uniconta username on the Account tab")
		}
		if c.password, err = readSecret(ctx, cfg, SecretPassword); err != nil {
			return nil, err
		}
		if c.password == "" {
			return nil, errors.New("enter the Uniconta password on the Account tab")
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
			return nil, fmt.Errorf("Uniconta did not list the companies this user reaches (%v): enter the Firma ID and sign in again", err)
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
func (c *Conn) CustomFieldNotes(ctx context.Context, localNames []string) ([]string, error) {
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
	var notes []string
	for _, want := range c.settings.customFields {
		if _, ok := types[want]; !ok {
			if near := nearest(want, names); near != "" {
				notes = append(notes, fmt.Sprintf("Uniconta has no custom field %q; it has %q, spelt differently. Names must match exactly.", want, near))
			} else {
				notes = append(notes, fmt.Sprintf("Uniconta has no custom field %q on debtors; create it in Uniconta (Tools → Custom fields) or remove it from the list.", want))
			}
		}
		if localNames != nil && !local[want] {
			if near := nearest(want, sortedLocal); near != "" {
				notes = append(notes, fmt.Sprintf("The business files call the field %q, not %q. Names must match exactly.", near, want))
			} else {
				notes = append(notes, fmt.Sprintf("The business files have no custom field %q.", want))
			}
		}
	}
	sort.Strings(notes)
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
		return errors.New("the system keyring is not available: nothing could be forgotten")
	}
	for _, key := range []string{SecretPassword, SecretAPIKey} {
		if err := cfg.Secrets.Delete(ctx, key); err != nil && !errors.Is(err, connectors.ErrSecretNotFound) {
			return fmt.Errorf("forgetting the Uniconta %s: %w", key, err)
		}
	}
	return nil
}
