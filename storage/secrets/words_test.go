package secrets

import (
	"context"
	"errors"
	"testing"
	"time"

	"ledgerlink/assets"
	"ledgerlink/words"
)

func TestKeyringErrorsAreSaidInTheReadersLanguage(t *testing.T) {
	cat, err := words.Load(assets.Lang())
	if err != nil {
		t.Fatal(err)
	}
	_, missing := NewMemory().Get(context.Background(), "xero", "refresh_token")
	_, badName := userKey("xero/eu", "token")
	tests := []struct {
		name string
		err  error
		kind error
		want map[string]string
	}{
		{"not found", missing, ErrNotFound, map[string]string{
			"en": `The system keyring has no saved "refresh_token" for xero.`,
			"nl": `De sleutelbos van het systeem heeft geen opgeslagen "refresh_token" voor xero.`,
			"da": `Systemets nøglering har ingen gemt "refresh_token" for xero.`,
		}},
		{"slash", badName, ErrInvalid, map[string]string{
			"en": `The secret's module name "xero/eu" contains "/", which is not allowed.`,
			"nl": `De modulenaam "xero/eu" van het geheim bevat "/", en dat mag niet.`,
			"da": `Hemmelighedens modulnavn "xero/eu" indeholder "/", hvilket ikke er tilladt.`,
		}},
		{"timeout", &timeoutError{after: 5 * time.Second}, ErrTimeout, map[string]string{
			"en": "The system keyring did not answer within 5 seconds. Unlock it and try again.",
			"nl": "De sleutelbos van het systeem antwoordde niet binnen 5 seconden. Ontgrendel hem en probeer het opnieuw.",
			"da": "Systemets nøglering svarede ikke inden for 5 sekunder. Lås den op, og prøv igen.",
		}},
		{"unavailable", &unavailableError{}, ErrUnavailable, map[string]string{
			"en": ErrUnavailable.Error(),
			"nl": "Er is geen sleutelbos van het systeem beschikbaar. Installeer en ontgrendel GNOME Keyring of KeePassXC en probeer het opnieuw.",
			"da": "Der er ingen nøglering i systemet. Installer og lås GNOME Keyring eller KeePassXC op, og prøv igen.",
		}},
	}
	// The kinds themselves, as a store that fails on purpose returns them
	// (Memory.SetFailure), are said as the errors they stand for.
	tests = append(tests,
		struct {
			name string
			err  error
			kind error
			want map[string]string
		}{"ErrTimeout", ErrTimeout, ErrTimeout, tests[2].want},
		struct {
			name string
			err  error
			kind error
			want map[string]string
		}{"ErrUnavailable", ErrUnavailable, ErrUnavailable, tests[3].want})
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.kind) {
			t.Errorf("%s: errors.Is(%v) is false", tc.name, tc.kind)
		}
		if tc.err.Error() != tc.want["en"] {
			t.Errorf("%s: Error() = %q, want %q", tc.name, tc.err.Error(), tc.want["en"])
		}
		for lang, want := range tc.want {
			if got := cat.In(lang).Error(tc.err); got != want {
				t.Errorf("%s in %s: %q, want %q", tc.name, lang, got, want)
			}
		}
	}
}
