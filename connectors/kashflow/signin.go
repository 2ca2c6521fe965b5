package kashflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ledgerlink/connectors"
)

// signIn is the registry's Login for KashFlow: it checks the username and
// API password with one cheap call (GetCompanyDetails) and returns the
// company they reach. KashFlow has no tokens: a missing password is asked
// for and kept in the keyring.
func signIn(ctx context.Context, cfg connectors.Config, prompt connectors.Prompt) ([]connectors.Organisation, error) {
	if !cfg.Sandbox {
		if strings.TrimSpace(cfg.Setting(KeyUsername, "")) == "" {
			return nil, errors.New("enter your KashFlow username on the Account tab first")
		}
		if cfg.Secrets == nil {
			return nil, errors.New("LedgerLink has no keyring to keep the KashFlow API password in")
		}
		if _, err := cfg.Secrets.Get(ctx, KeyPassword); errors.Is(err, connectors.ErrSecretNotFound) {
			if prompt == nil {
				return nil, fmt.Errorf("the KashFlow API password is not set: %w", connectors.ErrNoPrompt)
			}
			pw, err := prompt.Ask(ctx, "KashFlow API password (KashFlow: Settings, API Settings):")
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(pw) == "" {
				return nil, errors.New("no KashFlow API password was entered")
			}
			if err := cfg.Secrets.Set(ctx, KeyPassword, pw); err != nil {
				return nil, fmt.Errorf("keeping the KashFlow API password in the system keyring: %w", err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("reading the KashFlow API password from the system keyring: %w", err)
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
// why, and what to do (for API access switched off, a wrong password, an
// IP address missing from the access list).
func SignInError(err error) error {
	why, ok := Explain(err)
	if !ok {
		return err
	}
	return &signInError{err: err, why: why}
}

type signInError struct {
	err error
	why connectors.Explanation
}

func (e *signInError) Error() string {
	var se *StatusError
	said := e.err.Error()
	if errors.As(e.err, &se) {
		said = se.Detail
	}
	return fmt.Sprintf("KashFlow said: %q. %s %s", said, e.why.Cause, e.why.Fix)
}

func (e *signInError) Unwrap() error { return e.err }
