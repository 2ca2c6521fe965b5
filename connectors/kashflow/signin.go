package kashflow

import (
	"context"
	"errors"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// signIn is the registry's Login for KashFlow: it checks the username and
// API password with one cheap call (GetCompanyDetails) and returns the
// company they reach. KashFlow has no tokens: a missing password is asked
// for and kept in the keyring.
func signIn(ctx context.Context, cfg connectors.Config, prompt connectors.Prompt) ([]connectors.Organisation, error) {
	if !cfg.Sandbox {
		if strings.TrimSpace(cfg.Setting(KeyUsername, "")) == "" {
			return nil, own.Fail(nil, "kashflow.signin.enter_username")
		}
		if cfg.Secrets == nil {
			return nil, own.Fail(nil, "kashflow.signin.no_keyring")
		}
		if _, err := cfg.Secrets.Get(ctx, KeyPassword); errors.Is(err, connectors.ErrSecretNotFound) {
			if prompt == nil {
				return nil, own.FailAs(connectors.ErrNoPrompt, "kashflow.signin.password_not_set")
			}
			pw, err := prompt.Ask(ctx, "kashflow.signin.ask_password")
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(pw) == "" {
				return nil, own.Fail(nil, "kashflow.signin.no_password_given")
			}
			if err := cfg.Secrets.Set(ctx, KeyPassword, pw); err != nil {
				return nil, own.Fail(err, "kashflow.signin.keep_password")
			}
		} else if err != nil {
			return nil, own.Fail(err, "kashflow.signin.read_password")
		}
	}
	conn, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	id, err := conn.Check(ctx)
	if err != nil {
		return nil, SignInError(err)
	}
	user := conn.soap.user
	return []connectors.Organisation{{ID: user, Name: id.Organisation, Settings: map[string]string{KeyCompany: id.Organisation}}}, nil
}

// SignInError puts a refused sign-in in plain words: what KashFlow said,
// word for word, why, and what to do (for API access switched off, a wrong
// password, an IP address missing from the access list), in the reader's
// language. Other errors come back as they are.
func SignInError(err error) error {
	e, args, ok := explain(err)
	if !ok || e.kind != kindSignIn {
		return err
	}
	said := err.Error()
	var se *StatusError
	if errors.As(err, &se) {
		said = se.Detail
	}
	pairs := []any{"Said", said}
	if a, ok := args["Address"]; ok {
		pairs = append(pairs, "Address", a)
	}
	// KEY.signin: "KashFlow said: …" with the entry's cause and fix.
	return &signInError{err: err, said: words.Errorf(nil, e.key+".signin", pairs...)}
}

// signInError is a refused sign-in: its words for the faces, and what
// KashFlow answered underneath (ErrAuth and the StatusError).
type signInError struct {
	err  error
	said *words.Error
}

func (e *signInError) Error() string {
	if en := own.English(); en != nil {
		return en.Error(e.said)
	}
	return e.said.Error() + ": " + e.err.Error()
}

func (e *signInError) Unwrap() []error { return []error{e.said, e.err} }
