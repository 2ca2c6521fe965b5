package cli

import (
	"context"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta/unicontasim"
	"ledgerlink/storage/secrets"
)

// The end-to-end tests of this file run the verbs against the Uniconta
// Sandbox: settings whose values come from the package, customers kept
// out by the customer tag, custom fields carried by name, and the "Has
// errors" mark that holds sync until Refresh.

// unicontaSandboxState is the path of the Sandbox simulator's state file.
func unicontaSandboxState(t *testing.T, dataDir string) string {
	t.Helper()
	var found string
	_ = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "uniconta-sandbox.json" {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no Uniconta Sandbox state under %s", dataDir)
	}
	return found
}

// unicontaDebtors reads the Sandbox company's debtors by account.
func unicontaDebtors(t *testing.T, dataDir string) map[string]map[string]any {
	t.Helper()
	var st struct {
		Companies map[string]struct {
			Tables map[string][]map[string]any `json:"tables"`
		} `json:"companies"`
	}
	if err := json.Unmarshal(fileBytes(t, unicontaSandboxState(t, dataDir)), &st); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, r := range st.Companies[strconv.Itoa(unicontasim.SandboxCompany)].Tables["DebtorClient"] {
		if a, ok := r["Account"].(string); ok {
			out[a] = r
		}
	}
	return out
}

type jsonRunNotes struct {
	jsonReport
	Notes []string `json:"notes"`
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestE2EUnicontaChoicesTagAndCustomFields(t *testing.T) {
	c := realBinary{subprocess{t: t, dataDir: t.TempDir()}}
	wantExit(t, c.run("--sandbox", "install", "uniconta"), exitOK)

	o := c.run("--sandbox", "config", "uniconta", "--choices", "opt.customer_tag", "--json")
	wantExit(t, o, exitOK)
	tags := decode[[]connectors.Choice](t, o)
	if !slices.ContainsFunc(tags, func(c connectors.Choice) bool { return c.Value == "Uniconta" }) {
		t.Fatalf("tag choices %+v; want Uniconta's CRM group Uniconta", tags)
	}
	o = c.run("--sandbox", "config", "uniconta", "--choices", "opt.custom_fields")
	wantExit(t, o, exitOK)
	for _, want := range []string{"LoyaltyTier", "PreferredRoast", "Set it with: ledgerlink config uniconta opt.custom_fields=VALUE,VALUE"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("custom field choices do not say %q:\n%s", want, o.stdout)
		}
	}
	o = c.run("--sandbox", "config", "uniconta", "--choices", "opt.custom_fields", "--json")
	wantExit(t, o, exitOK)
	both := map[string]bool{}
	for _, ch := range decode[[]connectors.Choice](t, o) {
		both[ch.Value] = ch.InBusinessFiles
	}
	// The sample carries LoyaltyTier and PreferredRoast, not CreditDays.
	if !both["LoyaltyTier"] || !both["PreferredRoast"] || both["CreditDays"] {
		t.Errorf("custom fields on both sides: %v", both)
	}
	wantExit(t, c.run("--sandbox", "config", "uniconta", "--choices", "opt.journal"), exitSetup)

	// Only customers carrying the tag go; the sample's carry none.
	wantExit(t, c.run("--sandbox", "config", "uniconta", "opt.customer_tag=Uniconta"), exitOK)
	dir := t.TempDir()
	wantExit(t, c.run("--sandbox", "import", writeFile(t, dir, "customers.csv",
		"Customer Code,Name,Currency,Tags,custom:LoyaltyTier,custom:PreferredRoast\n"+
			"T101,Tagged Café ApS,GBP,Uniconta;cafe,Gold,Dark\n"+
			"T102,Not Yet Tagged ApS,GBP,cafe,Silver,Light\n")), exitOK)
	o = c.run("--sandbox", "sync", "uniconta", "--json")
	rep := decode[jsonRunNotes](t, o)
	if _, _, failed := rep.total("upload"); failed != 0 {
		t.Fatalf("customers without the tag counted as failed:\n%s", o.stdout)
	}
	notes := strings.Join(rep.Notes, "\n")
	if !strings.Contains(notes, "T102") || !strings.Contains(notes, "C001") || !strings.Contains(notes, "wait in Pending Export") {
		t.Fatalf("the run's notes do not name the customers left waiting:\n%s", notes)
	}
	o = c.run("--sandbox", "feedback", "uniconta", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonFeedback](t, o); slices.ContainsFunc(rows, func(r jsonFeedback) bool { return strings.Contains(r.Message, "NotTagged") }) {
		t.Fatalf("an untagged customer is in Error Feedback: %+v", rows)
	}
	debtors := unicontaDebtors(t, c.dataDir)
	if d := debtors["T101"]; d == nil || d["LoyaltyTier"] != "Gold" || d["PreferredRoast"] != "Dark" || d["CrmGroup"] != "Uniconta" {
		t.Fatalf("T101 in Uniconta: %v; want the tag and both custom fields by name", d)
	}
	if debtors["T102"] != nil || debtors["C001"] != nil {
		t.Fatal("a customer without the tag reached Uniconta")
	}
	o = c.run("--sandbox", "pending", "uniconta", "--json")
	if rows := pendingRefs(decode[[]jsonPending](t, o)); !slices.Contains(rows, "customer:T102") {
		t.Fatalf("T102 is not waiting in Pending Export: %v", rows)
	}

	// The tag is added in the business system: the next run sends it.
	wantExit(t, c.run("--sandbox", "import", writeFile(t, dir, "customers.csv",
		"Customer Code,Name,Currency,Tags,custom:LoyaltyTier,custom:PreferredRoast\n"+
			"T102,Not Yet Tagged ApS,GBP,cafe;Uniconta,Silver,Light\n")), exitOK)
	o = c.run("--sandbox", "sync", "uniconta", "--json")
	if rep := decode[jsonRunNotes](t, o); strings.Contains(strings.Join(rep.Notes, "\n"), "T102") {
		t.Fatalf("T102 still waits after gaining the tag:\n%s", o.stdout)
	}
	if d := unicontaDebtors(t, c.dataDir)["T102"]; d == nil || d["LoyaltyTier"] != "Silver" {
		t.Fatalf("T102 in Uniconta after the tag came: %v", d)
	}
}

func TestE2EUnicontaHasErrorsUntilRefresh(t *testing.T) {
	c := realBinary{subprocess{t: t, dataDir: t.TempDir()}}
	wantExit(t, c.run("--sandbox", "install", "uniconta"), exitOK)
	wantExit(t, c.run("--sandbox", "sync", "uniconta"), exitOK)
	// The sample's custom fields named as Uniconta names them travel.
	if d := unicontaDebtors(t, c.dataDir)["C001"]; d == nil || d["LoyaltyTier"] != "Gold" || d["PreferredRoast"] != "Light" {
		t.Fatalf("the sample's C001 in Uniconta: %v; want LoyaltyTier Gold, PreferredRoast Light", d)
	}

	// In "Uniconta", LedgerLink's modification URL fails until Uniconta
	// ticks Has errors.
	const address = "http://127.0.0.1:9/uniconta/notify/s3cret"
	sim, err := unicontasim.New(unicontasim.WithStateFile(unicontaSandboxState(t, c.dataDir)),
		unicontasim.WithNotifyClient(&http.Client{Transport: refusingTransport{}}))
	if err != nil {
		t.Fatal(err)
	}
	rowID, err := sim.AddChangeURL(unicontasim.SandboxCompany, address, unicontasim.TableDebtor, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range unicontasim.FailuresBeforeHasError {
		if err := sim.EditInUniconta(unicontasim.SandboxCompany, "DebtorClient", "C001", map[string]any{"Phone": "0117 000 00" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
		sim.FlushNotifications(context.Background())
	}
	if has, _ := sim.ChangeURL(unicontasim.SandboxCompany, rowID); !has {
		t.Fatal("the simulator did not tick Has errors")
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}

	wantExit(t, c.run("--sandbox", "config", "uniconta", "opt.notify_url="+address), exitOK)
	o := c.run("--sandbox", "sync", "uniconta")
	if o.code == exitOK {
		t.Fatalf("sync went on while Uniconta holds Has errors:\n%s", o.stdout)
	}
	o = c.run("--sandbox", "modules", "--json")
	mod := moduleNamed(t, o, "uniconta")
	notes := strings.Join(mod.Notes, "\n")
	if mod.Light != "AMBER" || !strings.Contains(notes, "Has errors: calling "+address) || !strings.Contains(notes, "press Refresh") {
		t.Fatalf("module %s with notes %q; want AMBER with Uniconta's words and the fix", mod.Light, notes)
	}
	// In Danish the fix gives Uniconta's own Danish menu names beside the English ones.
	// (--json stays in English for scripts, so this reads the text.)
	o = c.run("--sandbox", "--lang", "da", "modules")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "Har fejl på ændrings-URL'en: calling "+address) || !strings.Contains(o.stdout, "tryk på Opdater/Refresh") {
		t.Fatalf("in Danish the modules read:\n%s\nwant Uniconta's words and the Danish steps", o.stdout)
	}

	o = c.run("--sandbox", "login", "uniconta", "--refresh")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "Refresh the modification URL: done. Status: GREEN.") {
		t.Fatalf("login --refresh said:\n%s", o.stdout)
	}
	wantExit(t, c.run("--sandbox", "sync", "uniconta"), exitOK)
	if mod := moduleNamed(t, c.run("--sandbox", "modules", "--json"), "uniconta"); mod.Light != "GREEN" {
		t.Fatalf("after Refresh the module is %s: %v", mod.Light, mod.Notes)
	}
	// A module without a refresh action says so (the Sandbox has Xero).
	wantExit(t, c.run("--sandbox", "login", "xero", "--refresh"), exitSetup)
}

func moduleNamed(t *testing.T, o outcome, name string) jsonModule {
	t.Helper()
	wantExit(t, o, exitOK)
	for _, m := range decode[[]jsonModule](t, o) {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no module %s in:\n%s", name, o.stdout)
	return jsonModule{}
}

// refusingTransport answers every call 502, as an address nobody serves
// behind a proxy does.
type refusingTransport struct{}

func (refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusBadGateway, Body: http.NoBody, Request: r, Header: http.Header{}}, nil
}

func TestE2EUnicontaChangeCallsStartASync(t *testing.T) {
	c := &inProcess{t: t, dataDir: t.TempDir(), keyring: secrets.NewMemory(), registry: shippedRegistry}
	wantExit(t, c.run("--sandbox", "install", "uniconta"), exitOK)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr + "/uniconta/s3cret"
	wantExit(t, c.run("--sandbox", "config", "uniconta", "opt.notify_url="+base), exitOK)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	done := make(chan outcome, 1)
	go func() { done <- c.runCtxOut(ctx, &out, "--sandbox", "run", "--listen", addr) }()
	waitFor(t, 10*time.Second, "run to listen", func() bool { return strings.Contains(out.String(), "Receiving change calls on http://"+addr) })

	call := func(u string) int {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	company := strconv.Itoa(unicontasim.SandboxCompany)
	if got := call("http://" + addr + "/uniconta/wrong?CompanyId=" + company + "&Table=Debtor&Key=C001"); got != http.StatusNotFound {
		t.Errorf("a call without the secret: %d, want 404", got)
	}
	if got := call(base + "?CompanyId=1&Table=Debtor&Key=C001"); got != http.StatusForbidden {
		t.Errorf("a call for another company: %d, want 403", got)
	}
	// A burst of calls about one debtor is one run.
	for range 3 {
		if got := call(base + "?CompanyId=" + company + "&Table=Debtor&Key=C001&RowId=1&Operation=Update"); got != http.StatusNoContent {
			t.Fatalf("Uniconta's call: %d, want 204", got)
		}
	}
	waitFor(t, 15*time.Second, "the sync the calls started", func() bool { return strings.Contains(out.String(), "uniconta: synced after the change calls") })
	cancel()
	select {
	case o := <-done:
		wantExit(t, o, exitOK)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	text := out.String()
	if n := strings.Count(text, "the package reported changes (Customers C001)"); n != 1 {
		t.Errorf("%d runs for a burst of calls, want 1:\n%s", n, text)
	}
}
