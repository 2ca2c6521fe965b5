package workspace

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// ChooseFunc picks one of the organisations a sign-in reaches: the window
// asks in a dialog, the command line takes --organisation.
type ChooseFunc func(ctx context.Context, orgs []connectors.Organisation) (connectors.Organisation, error)

// ErrNoOrganisation means a sign-in worked but reaches no organisation.
var ErrNoOrganisation = words.Errorf(nil, "storage.signin.no_organisation")

// Connect signs a module in (through prompt where the package needs the
// person), lets choose pick the organisation when there are several, saves
// what the chosen one needs and clears any "sign in again" note. It is the
// one sign-in the window and the command line both use.
func (w *Workspace) Connect(ctx context.Context, module string, prompt connectors.Prompt, choose ChooseFunc) (connectors.Organisation, error) {
	def, ok := w.Reg.Lookup(module)
	if !ok {
		return connectors.Organisation{}, fmt.Errorf("%w %q", sync.ErrUnknownModule, module)
	}
	if def.Login == nil {
		return connectors.Organisation{}, words.Errorf(nil, "storage.signin.not_needed", "Module", def.Title, "Name", def.Name)
	}
	settings, err := w.DB.Settings(module)
	if err != nil {
		return connectors.Organisation{}, err
	}
	orgs, err := def.Login(ctx, w.ConnectorConfig(module, settings), prompt)
	if err != nil {
		return connectors.Organisation{}, err
	}
	var chosen connectors.Organisation
	switch {
	case len(orgs) == 0:
		return connectors.Organisation{}, ErrNoOrganisation
	case len(orgs) == 1 && choose == nil:
		chosen = orgs[0]
	case choose == nil:
		return connectors.Organisation{}, words.Errorf(nil, "storage.signin.several", "Organisations", OrganisationNames(orgs))
	default:
		if chosen, err = choose(ctx, orgs); err != nil {
			return connectors.Organisation{}, err
		}
	}
	if len(chosen.Settings) > 0 {
		if _, err := w.Modules.Apply(ctx, module, chosen.Settings, false); err != nil {
			return connectors.Organisation{}, err
		}
	}
	if err := w.DB.SetSetting(ctx, module, sync.ReconnectSetting, ""); err != nil {
		return connectors.Organisation{}, err
	}
	return chosen, nil
}

// ChooseByName returns a ChooseFunc that picks the organisation named
// want (by name or ID), or the only one when want is blank.
func ChooseByName(want string) ChooseFunc {
	return func(_ context.Context, orgs []connectors.Organisation) (connectors.Organisation, error) {
		for _, o := range orgs {
			if want != "" && (strings.EqualFold(o.Name, want) || o.ID == want) {
				return o, nil
			}
		}
		if want == "" && len(orgs) == 1 {
			return orgs[0], nil
		}
		if want != "" {
			return connectors.Organisation{}, words.Errorf(nil, "storage.signin.no_such_organisation", "Name", strconv.Quote(want), "Organisations", OrganisationNames(orgs))
		}
		return connectors.Organisation{}, words.Errorf(nil, "storage.signin.choose_with_flag", "Organisations", OrganisationNames(orgs))
	}
}

// OrganisationNames lists organisations for a message.
func OrganisationNames(orgs []connectors.Organisation) string {
	names := make([]string, 0, len(orgs))
	for _, o := range orgs {
		names = append(names, fmt.Sprintf("%q (%s)", o.Name, o.ID))
	}
	return strings.Join(names, ", ")
}

// Disconnect ends a module's sign-in; the module turns AMBER until someone
// signs in again.
func (w *Workspace) Disconnect(ctx context.Context, module string) error {
	def, ok := w.Reg.Lookup(module)
	if !ok || def.Disconnect == nil {
		return words.Errorf(nil, "storage.signin.nothing_to_disconnect", "Module", module)
	}
	settings, err := w.DB.Settings(def.Name)
	if err != nil {
		return err
	}
	if err := def.Disconnect(ctx, w.ConnectorConfig(def.Name, settings)); err != nil {
		return err
	}
	return w.DB.SetSetting(ctx, def.Name, sync.ReconnectSetting, disconnectedNote(w.Words().Catalogue(), def))
}

// disconnectedNote is the module's note after a disconnect, kept in every
// language (words.Said).
func disconnectedNote(c *words.Catalogue, def connectors.Definition) string {
	return words.SayEvery(c, func(w *words.Words) string {
		return w.T("storage.signin.disconnected", "Module", def.Title, "Name", def.Name)
	}).Encode()
}
