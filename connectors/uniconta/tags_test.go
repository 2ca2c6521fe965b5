package uniconta_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta"
	"ledgerlink/connectors/uniconta/unicontasim"
)

func customer(code string, tags ...string) connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: code, Name: "Customer " + code, Currency: "DKK", Tags: tags}}
}

// TestCustomerTagUpload: a customer without the tag never leaves
// LedgerLink; one that gains it goes at the next run.
func TestCustomerTagUpload(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{uniconta.KeyCustomerTag: "Uniconta"}})
	res := h.write(connectors.Customers,
		connectors.WriteItem{Key: "a", Record: customer("T1", "retail", "uniconta")},
		connectors.WriteItem{Key: "b", Record: customer("T2", "retail")})
	if res[0].Err != nil || res[0].RemoteID == "" {
		t.Fatalf("the tagged customer: %+v", res[0])
	}
	var ie *connectors.ItemError
	if !errors.As(res[1].Err, &ie) || ie.Code != "NotTagged" || res[1].RemoteID != "" {
		t.Fatalf("the untagged customer: %+v; want a NotTagged refusal", res[1])
	}
	if !errors.Is(res[1].Err, connectors.ErrNotSynced) {
		t.Fatalf("the untagged customer's refusal %v does not say it is left out by the settings (ErrNotSynced)", res[1].Err)
	}
	if why, ok := h.conn.Explain(res[1].Err); !ok || !strings.Contains(why.Fix, "next run") {
		t.Errorf("Explain(NotTagged) = %+v, %v", why, ok)
	}
	if found, _ := h.conn.FindByCode(t.Context(), connectors.Customers, []string{"T2"}); len(found) != 0 {
		t.Fatalf("the untagged customer reached Uniconta")
	}
	// The tag is added in the business system: the next run sends it.
	res = h.write(connectors.Customers, connectors.WriteItem{Key: "b", Record: customer("T2", "retail", "Uniconta")})
	if res[0].Err != nil || res[0].RemoteID == "" {
		t.Fatalf("the customer that gained the tag: %+v", res[0])
	}
	listed := h.list(connectors.Customers)
	for _, want := range []string{"T1", "T2", "D9001"} {
		if !slices.Contains(codes(listed), want) {
			t.Errorf("tagged customer %s not listed: %v", want, codes(listed))
		}
	}
	if slices.Contains(codes(listed), "D9002") {
		t.Errorf("D9002 (CRM group Retail) was listed although it lacks the tag")
	}
}

// TestCustomerTagMirror: a debtor that loses the tag in Uniconta stops
// syncing (it is left out, not deleted, and reported by Untagged); when the
// tag comes back it is listed at the next run, with no other step.
func TestCustomerTagMirror(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{uniconta.KeyCustomerTag: "Uniconta"}})
	if got := codes(h.list(connectors.Customers)); !slices.Equal(got, []string{"D9001"}) {
		t.Fatalf("listed %v; want only the tagged D9001", got)
	}
	if err := h.sim.EditInUniconta(unicontasim.SandboxCompany, "DebtorClient", "D9001", map[string]any{"CrmGroup": ""}); err != nil {
		t.Fatal(err)
	}
	if got := h.list(connectors.Customers); len(got) != 0 {
		t.Fatalf("after the tag was removed %v was still listed", codes(got))
	}
	untagged, err := h.conn.Untagged(t.Context())
	if err != nil || !slices.Contains(untagged, "D9001") {
		t.Errorf("Untagged = %v, %v; want D9001 reported", untagged, err)
	}
	if ex, err := h.conn.Excluded(t.Context(), connectors.Customers); err != nil || !slices.Equal(ex, untagged) {
		t.Errorf("Excluded(customers) = %v, %v; want %v", ex, err, untagged)
	}
	if ex, err := h.conn.Excluded(t.Context(), connectors.Suppliers); err != nil || len(ex) != 0 {
		t.Errorf("Excluded(suppliers) = %v, %v; suppliers carry no tag", ex, err)
	}
	if found, _ := h.conn.FindByCode(t.Context(), connectors.Customers, []string{"D9001"}); len(found) != 1 {
		t.Errorf("the untagged debtor must still be there in Uniconta (nothing deleted); found %d", len(found))
	}
	if err := h.sim.EditInUniconta(unicontasim.SandboxCompany, "DebtorClient", "D9001", map[string]any{"CrmGroup": "Uniconta"}); err != nil {
		t.Fatal(err)
	}
	got := h.list(connectors.Customers)
	if !slices.Equal(codes(got), []string{"D9001"}) || !slices.Equal(got[0].Record.Party.Tags, []string{"Uniconta"}) {
		t.Errorf("after the tag came back: %v", got)
	}
}

// TestCustomFieldsByName carries custom fields whose names are identical
// on both sides, both ways, and explains names that differ.
func TestCustomFieldsByName(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{uniconta.KeyCustomFields: "LoyaltyTier, PreferredRoast, CreditDays, Loyalty_Tier"}})
	c := customer("CF1")
	c.Party.CustomFields = map[string]string{"LoyaltyTier": "Gold", "PreferredRoast": "Light", "CreditDays": "14", "Unlisted": "x"}
	id := h.create(c)
	got, err := h.conn.Get(t.Context(), connectors.Customers, []string{id})
	if err != nil || len(got) != 1 {
		t.Fatalf("Get: %v", err)
	}
	want := map[string]string{"LoyaltyTier": "Gold", "PreferredRoast": "Light", "CreditDays": "14"}
	if cf := got[0].Record.Party.CustomFields; len(cf) != 3 || cf["LoyaltyTier"] != "Gold" || cf["PreferredRoast"] != "Light" || cf["CreditDays"] != "14" {
		t.Errorf("custom fields read back %v; want %v", cf, want)
	}
	// Changed in Uniconta, read back here.
	if err := h.sim.EditInUniconta(unicontasim.SandboxCompany, "DebtorClient", "CF1", map[string]any{"PreferredRoast": "Espresso"}); err != nil {
		t.Fatal(err)
	}
	got, _ = h.conn.FindByCode(t.Context(), connectors.Customers, []string{"CF1"})
	if len(got) != 1 || got[0].Record.Party.CustomFields["PreferredRoast"] != "Espresso" {
		t.Errorf("the value changed in Uniconta did not come back: %+v", got)
	}
	// A number field refuses words, in plain words.
	bad := customer("CF2")
	bad.Party.CustomFields = map[string]string{"CreditDays": "fourteen"}
	res := h.write(connectors.Customers, connectors.WriteItem{Key: "cf2", Record: bad})
	var ie *connectors.ItemError
	if !errors.As(res[0].Err, &ie) || !strings.Contains(ie.Message, "CreditDays") {
		t.Errorf("a word in a number field: %+v", res[0])
	}
	notes, err := h.conn.CustomFieldNotes(t.Context(), []string{"Loyalty tier", "PreferredRoast", "CreditDays"})
	if err != nil {
		t.Fatal(err)
	}
	en := wordsIn(t, "en")
	said := make([]string, 0, len(notes))
	for _, n := range notes {
		said = append(said, en.Say(n))
	}
	joined := strings.Join(said, "\n")
	for _, want := range []string{`Uniconta has no custom field "Loyalty_Tier"; it has "LoyaltyTier"`, `The business files call the field "Loyalty tier", not "Loyalty_Tier"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
}

// TestTagMustBeACRMGroup: Test connection names the groups Uniconta holds
// when the chosen tag is not one of them.
func TestTagMustBeACRMGroup(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{uniconta.KeyCustomerTag: "Unicorn"}})
	_, err := h.conn.Check(t.Context())
	var te *uniconta.TagError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "Uniconta, Wholesale, Retail") {
		t.Fatalf("Check: %v", err)
	}
	if why, ok := h.conn.Explain(err); !ok || !strings.Contains(why.Fix, "CRM") {
		t.Errorf("Explain: %+v", why)
	}
	good := newHarness(t, harnessOpt{settings: map[string]string{uniconta.KeyCustomerTag: "uniconta"}})
	if _, err := good.conn.Check(t.Context()); err != nil {
		t.Errorf("a tag differing only in case: %v", err)
	}
}

// TestChoicesFromUniconta: the customer tag is chosen from the CRM groups
// Uniconta holds, the custom fields from those on its debtors.
func TestChoicesFromUniconta(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	tags, err := h.conn.Choices(t.Context(), uniconta.KeyCustomerTag)
	if err != nil || !slices.ContainsFunc(tags, func(c connectors.Choice) bool { return c.Value == "Uniconta" }) {
		t.Fatalf("tag choices %+v, %v; want the CRM group Uniconta", tags, err)
	}
	if !slices.IsSortedFunc(tags, func(a, b connectors.Choice) int { return strings.Compare(a.Value, b.Value) }) {
		t.Errorf("tag choices not in order: %+v", tags)
	}
	fields, err := h.conn.Choices(t.Context(), uniconta.KeyCustomFields)
	if err != nil || len(fields) == 0 {
		t.Fatalf("custom field choices %+v, %v", fields, err)
	}
	for _, f := range fields {
		if strings.Contains(f.Value, " ") || !strings.HasPrefix(f.Label, f.Value+" (") {
			t.Errorf("custom field choice %+v: Uniconta names have no spaces, and the label gives the type", f)
		}
	}
	if _, err := h.conn.Choices(t.Context(), uniconta.KeyJournal); !errors.Is(err, connectors.ErrNotFound) {
		t.Errorf("choices for the journal: %v; want ErrNotFound", err)
	}
	def := uniconta.Definition()
	for _, k := range []string{uniconta.KeyCustomerTag, uniconta.KeyCustomFields} {
		if f, _ := def.Field(k); !f.Fetched {
			t.Errorf("%s is not declared Fetched", k)
		}
	}
	if f, _ := def.Field(uniconta.KeyCustomFields); !f.Multiple {
		t.Error("the custom fields hold several names")
	}
	if def.RefreshLabel == "" {
		t.Error("the definition names no refresh action")
	}
}

// TestDefinitionReceiver: `ledgerlink run --listen` gets a receiver whose
// secret is the modification URL's last segment, and the changes it takes
// name LedgerLink's record types.
func TestDefinitionReceiver(t *testing.T) {
	def := uniconta.Definition()
	cfg := func(url string) connectors.Config {
		return connectors.Config{Settings: map[string]string{uniconta.KeyNotifyURL: url, uniconta.KeyCompanyID: "77"}}
	}
	if _, err := def.Receiver(cfg("")); err == nil || !strings.Contains(err.Error(), "Modification URL") {
		t.Fatalf("no address: %v; want the setting named", err)
	}
	r, err := def.Receiver(cfg("https://books.example.dk/uniconta/k9Secret/"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/uniconta/k9Secret?CompanyId=77&Table=Debtor&Key=C1", http.StatusNoContent},
		{"/uniconta/k9Secret?CompanyId=77&Table=Creditor&Key=S1", http.StatusNoContent},
		{"/uniconta/k9Secret?CompanyId=77&Table=InvItem&Key=BEANS", http.StatusNoContent},
		{"/uniconta/other?CompanyId=77&Table=Debtor&Key=C2", http.StatusNotFound},
		{"/uniconta/k9Secret?CompanyId=78&Table=Debtor&Key=C3", http.StatusForbidden},
	} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.want {
			t.Errorf("%s: %d, want %d", c.path, rec.Code, c.want)
		}
	}
	// Taken with no quiet wanted: the three calls that were let in.
	got := r.Take(0)
	want := []connectors.ChangedRecord{{Type: connectors.Customers, Code: "C1"}, {Type: connectors.Suppliers, Code: "S1"}, {Type: connectors.Items, Code: "BEANS"}}
	if !slices.Equal(got, want) {
		t.Fatalf("Take = %+v, want %+v", got, want)
	}
	if again := r.Take(0); len(again) != 0 {
		t.Errorf("taken twice: %+v", again)
	}
}
