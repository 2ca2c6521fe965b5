package sync

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// ImportRow is one row of the Import grid.
type ImportRow = storage.ImportRow

// StatusAllocated is the Import grid's status of a payment that was created
// and allocated.
// in English (the default); the row holds it in the engine's language, as
// the catalogue's engine.payments.allocated says it.
const StatusAllocated = "Payment created and allocated" // words:verbatim (the English of engine.payments.allocated, for comparisons)

// ImportPayments is Create & Allocate Payments: it downloads the payments
// made in the module's accounting package since the last import (customer
// payments when Invoice Payments, supplier payments when Purchase Payments
// are not OFF in the accounting package → LedgerLink direction), and tries
// again the rows an earlier run could not settle. With allocate, each
// payment is created in LedgerLink, linked, and allocated to the local
// invoices it pays, whose amount due goes down; without, the rows are only
// shown, with what would happen. It returns the rows this run wrote; a
// payment already created and allocated is left exactly as it was.
func (e *Engine) ImportPayments(ctx context.Context, module string, allocate bool) ([]ImportRow, error) {
	def, err := e.definition(module)
	if err != nil {
		return nil, err
	}
	unlock := e.lock(module)
	defer unlock()
	conn, err := e.connect(ctx, def)
	if err != nil {
		return nil, err
	}
	defer closeConn(conn)
	settings, err := e.db.Settings(module)
	if err != nil {
		return nil, err
	}
	if len(paymentTypes(def, settings)) == 0 {
		return nil, sayKind(e.Words(), ErrPaymentsOff, nil, "engine.payments.off", "Invoice", connectors.InvoicePayments.Text(), "Purchase", connectors.PurchasePayments.Text(), "Direction", words.Sentence(connectors.Mirror.Key()), "Package", title(def))
	}
	rep := Report{Module: module, Trigger: TriggerManual, Started: e.now()}
	rows, err := e.importPayments(ctx, def, conn, allocate, &rep)
	for _, msg := range rep.Errors {
		e.log.Warn("payment import", "module", module, "problem", msg)
	}
	return rows, err
}

// ErrPaymentsOff means neither kind of payment comes from the module's
// accounting package, so there is nothing to import.
var ErrPaymentsOff = errors.New("payments are not imported from this accounting package") // words:log: a kind for errors.Is; people read sayKind's words

// paymentTypes are the payment types imported from the module: those whose
// mirror level is not OFF and that the connector can send.
func paymentTypes(def connectors.Definition, settings map[string]string) []connectors.RecordType {
	m, _ := MatrixFromSettings(settings) // damaged levels count as OFF
	var types []connectors.RecordType
	for _, t := range []connectors.RecordType{connectors.InvoicePayments, connectors.PurchasePayments} {
		if m.Level(connectors.Mirror, t) != Off && def.Caps.Supports(t, connectors.Mirror) {
			types = append(types, t)
		}
	}
	return types
}

// PaymentsStep is Create & Allocate Payments as a stage of every full sync
// run (see WithSteps).
func PaymentsStep() Step {
	return Step{Name: "engine.step.payments", Run: func(ctx context.Context, run *Run) error {
		_, err := run.Engine.importPayments(ctx, run.Def, run.Conn, true, run.Report)
		return err
	}}
}

// Imports returns the module's Import grid rows with a payment date in
// [from, to); zero ends are open.
func (e *Engine) Imports(ctx context.Context, module string, from, to time.Time) ([]ImportRow, error) {
	if _, err := e.definition(module); err != nil {
		return nil, err
	}
	return e.db.Imports(ctx, module, from, to)
}

// paymentKey names one payment of the package: its type and remote ID.
type paymentKey struct {
	t  connectors.RecordType
	id string
}

// importer is one Create & Allocate Payments pass over a module.
type importer struct {
	e        *Engine
	def      connectors.Definition
	linker   connectors.Linker
	in       inbound
	allocate bool
	base     string
	// taxRates and taxOfAccount work out an invoice's total when
	// LedgerLink never learnt it from the package.
	settings     map[string]string
	taxRates     map[string]decimal.Decimal
	taxOfAccount map[string]string
	// seen holds the payments handled in this run, by type and remote ID.
	seen  map[paymentKey]bool
	wrote []ImportRow
	rep   *Report
}

func (e *Engine) importPayments(ctx context.Context, def connectors.Definition, conn connectors.Connection, allocate bool, rep *Report) ([]ImportRow, error) {
	settings, err := e.db.Settings(def.Name)
	if err != nil {
		return nil, err
	}
	types := paymentTypes(def, settings)
	if len(types) == 0 {
		return nil, nil
	}
	lister, ok := As[connectors.Lister](conn)
	if !ok {
		return nil, sayErr(e.Words(), nil, "engine.payments.cannot_send", "Package", title(def))
	}
	imp := &importer{
		e: e, def: def, in: newInbound(settings), allocate: allocate, settings: settings,
		base: strings.ToUpper(strings.TrimSpace(settings[settingBaseCurrency])),
		seen: map[paymentKey]bool{}, rep: rep,
	}
	imp.linker, _ = As[connectors.Linker](conn)
	if err := imp.loadTaxes(ctx); err != nil {
		return nil, err
	}
	for _, t := range types {
		failedBefore := imp.failed()
		// Fresh news first, so rows tried again afterwards use the
		// package's latest version of each payment. Payments are written in
		// batches: each batch, with the cursor it reaches, in one
		// transaction.
		cursor, err := e.db.ImportCursor(ctx, def.Name, t)
		if err != nil {
			return imp.wrote, err
		}
		var batch []connectors.Remote
		latest := cursor
		flush := func(final bool) error {
			// Rows written by a transaction that fails are not reported.
			kept := len(imp.wrote)
			err := e.db.UpdateImports(ctx, def.Name, func(tx *storage.ImportTx) error {
				for _, r := range batch {
					if err := imp.consider(tx, t, r); err != nil {
						return err
					}
				}
				if latest.After(cursor) {
					if err := tx.SetCursor(t, latest); err != nil {
						return err
					}
				}
				if final {
					return imp.retry(tx, t)
				}
				return nil
			})
			batch = batch[:0]
			if err != nil {
				imp.wrote = imp.wrote[:kept]
			}
			return err
		}
		err = lister.ListChanged(ctx, t, cursor, func(page []connectors.Remote) error {
			for _, r := range page {
				if strings.TrimSpace(r.RemoteID) == "" {
					rep.fail(e.Words(), func(w *words.Words) string {
						return w.T("engine.payments.no_id", "Package", title(def), "Code", r.Record.Code())
					})
					continue
				}
				if r.UpdatedAt.After(latest) {
					latest = r.UpdatedAt
				}
				batch = append(batch, r)
			}
			if len(batch) >= importBatch {
				return flush(false)
			}
			return nil
		})
		if err != nil {
			return imp.wrote, e.runError(ctx, def, rep, sayErr(e.Words(), err, "engine.payments.download_failed", "Type", t.Text(), "Package", title(def)))
		}
		if err := flush(true); err != nil {
			return imp.wrote, err
		}
		if n := imp.failed() - failedBefore; n > 0 {
			rep.Add(connectors.Mirror, t, 0, 0, n)
		}
	}
	return imp.wrote, nil
}

// importBatch is how many downloaded payments are written in one
// transaction.
const importBatch = 500

// retry processes the open rows of type t not handled in this run.
func (imp *importer) retry(tx *storage.ImportTx, t connectors.RecordType) error {
	open, err := tx.OpenRows(t)
	if err != nil {
		return err
	}
	for _, row := range open {
		if imp.seen[paymentKey{t, row.RemoteID}] {
			continue
		}
		if row.Remote.Deleted {
			imp.seen[paymentKey{t, row.RemoteID}] = true
			if err := imp.deleted(tx, t, row.Remote); err != nil {
				return err
			}
			continue
		}
		if err := imp.process(tx, t, row.Remote, &row); err != nil {
			return err
		}
	}
	return nil
}

// failed counts the rows written in this run that still need a fix.
func (imp *importer) failed() int {
	n := 0
	for _, r := range imp.wrote {
		if !r.Outcome.Settled() && r.Outcome != storage.ImportWaiting {
			n++
		}
	}
	return n
}

func (imp *importer) loadTaxes(ctx context.Context) error {
	imp.taxRates = map[string]decimal.Decimal{}
	imp.taxOfAccount = map[string]string{}
	err := imp.e.db.Ancillary(ctx, imp.def.Name, connectors.TaxRates, func(r connectors.Record) error {
		imp.taxRates[r.TaxRate.Code] = r.TaxRate.Rate
		return nil
	})
	if err != nil {
		return err
	}
	return imp.e.db.Ancillary(ctx, imp.def.Name, connectors.NominalAccounts, func(r connectors.Record) error {
		imp.taxOfAccount[r.Account.Code] = r.Account.TaxCode
		return nil
	})
}

func (imp *importer) pkg() string { return title(imp.def) }

// consider handles one downloaded payment: a payment already settled is
// left alone (so re-running changes nothing); a new one or one still open
// is processed.
func (imp *importer) consider(tx *storage.ImportTx, t connectors.RecordType, r connectors.Remote) error {
	if r.Deleted {
		imp.seen[paymentKey{t, r.RemoteID}] = true
		if !imp.def.Caps.Deletions {
			return nil
		}
		return imp.deleted(tx, t, r)
	}
	row, found, err := tx.Row(t, r.RemoteID)
	if err != nil {
		return err
	}
	if found && row.Outcome.Settled() {
		// A payment LedgerLink already had is looked at again only when
		// the package changed it; an allocated one never is.
		if row.Outcome != storage.ImportAlreadyThere || !r.UpdatedAt.After(row.Remote.UpdatedAt) {
			imp.seen[paymentKey{t, r.RemoteID}] = true
			return nil
		}
	}
	var prev *ImportRow
	if found {
		prev = &row
	}
	return imp.process(tx, t, r, prev)
}

// target is one local document a payment pays.
type target struct {
	ref    Ref
	amount decimal.Decimal
	// counted: the local document is the package's own version read after
	// the payment was entered, so its amount due already counts it.
	counted bool
	doc     connectors.Document
}

// verdict is why a payment cannot be created and allocated.
type verdict struct {
	outcome storage.ImportOutcome
	status  string
	fix     string
}

// process works out and, with allocate, applies what becomes of one
// payment, and writes its row. prev is the payment's earlier row, if any.
func (imp *importer) process(tx *storage.ImportTx, t connectors.RecordType, r connectors.Remote, prev *ImportRow) error {
	imp.seen[paymentKey{t, r.RemoteID}] = true
	row := ImportRow{Type: t, Kind: storage.ImportKindOf(t), RemoteID: r.RemoteID, Remote: r}
	if prev != nil {
		row.FirstSeen, row.Attempts = prev.FirstSeen, prev.Attempts
	}
	rec := r.Record
	if rec.Type == "" {
		rec.Type = t
	}
	if err := checkRemote(t, rec); err != nil {
		row.Reference = rec.Code()
		row.Outcome = storage.ImportUnreadable
		row.Status = imp.w().T("engine.payments.unreadable", "Package", imp.pkg(), "Error", imp.w().Error(err))
		row.Fix = imp.w().T("engine.payments.unreadable.fix", "Package", imp.pkg())
		return imp.write(tx, row)
	}
	p := rec.Payment
	row.Code = p.Code
	row.Reference = cmpOr(strings.TrimSpace(p.Reference), p.Code)
	row.PaymentDate = p.Date
	row.Amount = p.Amount
	row.Currency = cmpOr(strings.ToUpper(strings.TrimSpace(p.Currency)), imp.base)

	payRef := Ref{Type: t, Code: p.Code}
	skip, already, err := imp.alreadyThere(tx, payRef, r.RemoteID)
	if err != nil {
		return err
	}
	if skip {
		// LedgerLink sent this payment itself: nothing to import.
		return nil
	}
	party := p.PartyCode
	targets, v, err := imp.targets(tx, t, r, row.Currency)
	if err != nil {
		return err
	}
	for _, tg := range targets {
		row.AllocatedTo = append(row.AllocatedTo, tg.ref.Code)
		if party == "" {
			party = tg.doc.PartyCode
		}
	}
	row.Company = imp.company(tx, t, party)
	if already != nil {
		v = already
	}
	if v != nil && !v.outcome.Settled() {
		row.Outcome, row.Status, row.Fix = v.outcome, v.status, v.fix
		row.Attempts++
		return imp.write(tx, row)
	}
	if v != nil && v.outcome == storage.ImportAlreadyThere {
		row.AllocatedTo = nil
		row.Outcome, row.Status, row.Fix = v.outcome, v.status, v.fix
		return imp.write(tx, row)
	}
	if !imp.allocate {
		row.Outcome = storage.ImportWaiting
		row.Status = imp.w().T("engine.payments.waiting")
		row.Fix = imp.w().T("engine.payments.waiting.fix")
		if v != nil {
			row.Status = imp.w().T("engine.payments.waiting_with", "Status", v.status)
		}
		return imp.write(tx, row)
	}
	row.Attempts++
	if err := imp.apply(tx, t, r, party, targets); err != nil {
		return err
	}
	switch {
	case v != nil:
		row.Outcome, row.Status, row.Fix = v.outcome, v.status, v.fix
	case len(targets) == 0:
		row.Outcome = storage.ImportCreated
		row.Status = imp.w().T("engine.payments.created_unallocated", "Package", imp.pkg())
	default:
		row.Outcome, row.Status = storage.ImportAllocated, imp.w().T("engine.payments.allocated")
	}
	return imp.write(tx, row)
}

func (imp *importer) write(tx *storage.ImportTx, row ImportRow) error {
	stored, err := tx.PutRow(row)
	if err != nil {
		return err
	}
	imp.wrote = append(imp.wrote, stored)
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// alreadyThere says whether LedgerLink sent the payment itself (skip), or
// already has a different payment under its code or this payment under
// another code (a verdict); otherwise the payment may be created.
func (imp *importer) alreadyThere(tx *storage.ImportTx, payRef Ref, remoteID string) (skip bool, v *verdict, err error) {
	if code, found, err := tx.CodeForRemoteID(payRef.Type, remoteID); err != nil {
		return false, nil, err
	} else if found && code != payRef.Code {
		return false, &verdict{outcome: storage.ImportAlreadyThere,
			status: imp.w().T("engine.payments.known_as", "Code", code),
			fix:    imp.w().T("engine.payments.known_as.fix", "Package", imp.pkg())}, nil
	}
	sr, exists, err := tx.Get(payRef)
	if err != nil || !exists {
		return false, nil, err
	}
	l, linked, err := tx.Link(payRef)
	if err != nil {
		return false, nil, err
	}
	linkedHere := linked && l.RemoteID == remoteID
	switch {
	case linkedHere && sr.Origin == storage.OriginLocal:
		return true, nil, nil
	case linkedHere && sr.Origin == storage.OriginModule(imp.def.Name):
		// Fetched by mirroring, or by an earlier import: finish the job.
		return false, nil, nil
	}
	return false, &verdict{outcome: storage.ImportAlreadyThere,
		status: imp.w().T("engine.payments.already_imported", "Code", payRef.Code),
		fix:    imp.w().T("engine.payments.already_imported.fix", "Package", imp.pkg())}, nil
}

// invoiceTypeOf is the document type a payment of type t pays.
func invoiceTypeOf(t connectors.RecordType) connectors.RecordType {
	if t == connectors.PurchasePayments {
		return connectors.PurchaseInvoices
	}
	return connectors.SalesInvoices
}

// targets resolves the payment's allocations to local documents and checks
// them. A verdict that is not settled means nothing may be written; a
// credit-note verdict (settled) means the credit-note parts are left out.
func (imp *importer) targets(tx *storage.ImportTx, t connectors.RecordType, r connectors.Remote, currency string) ([]target, *verdict, error) {
	p := r.Record.Payment
	want := invoiceTypeOf(t)
	var out []target
	byRef := map[Ref]int{}
	var creditNote *verdict
	for _, a := range p.Allocations {
		docType := a.DocumentType
		if docType == "" {
			docType = want
		}
		shown := cmpOr(a.DocumentCode, a.DocumentRemoteID)
		w := imp.w()
		if docType != want && docType != connectors.CreditNotes {
			return nil, &verdict{outcome: storage.ImportUnreadable,
				status: w.T(kindKey(t), "Package", imp.pkg(), "What", noun(w, docType), "Code", shown),
				fix:    w.T("engine.payments.wrong_document.fix", "Package", imp.pkg())}, nil
		}
		code, linked, err := imp.localCode(tx, docType, a)
		if err != nil {
			return nil, nil, err
		}
		var sr storage.StoredRecord
		found := false
		if linked {
			if sr, found, err = tx.Get(Ref{Type: docType, Code: code}); err != nil {
				return nil, nil, err
			}
		}
		if !found || sr.Record.Document == nil {
			return nil, &verdict{outcome: storage.ImportUnknownInvoice,
				status: w.T("engine.payments.unknown_document", "What", capital(noun(w, docType)), "Code", shown),
				fix:    w.T("engine.payments.unknown_document.fix", "Type", docType.LabelIn(w), "Package", imp.pkg())}, nil
		}
		ref := Ref{Type: docType, Code: code}
		if docType == connectors.CreditNotes && !imp.def.Caps.CreditNoteAllocations {
			creditNote = &verdict{outcome: storage.ImportCreditNote,
				status: w.T("engine.payments.credit_note", "Code", code, "Package", imp.pkg()),
				fix:    w.T("engine.payments.credit_note.fix", "Code", code)}
			continue
		}
		doc := *sr.Record.Document
		docCur := cmpOr(strings.ToUpper(strings.TrimSpace(doc.Currency)), imp.base)
		if docCur != "" && currency != "" && docCur != currency {
			return nil, &verdict{outcome: storage.ImportCurrencyMismatch,
				status: w.T("engine.payments.currency", "Currency", currency, "What", noun(w, docType), "Code", code, "DocumentCurrency", docCur),
				fix:    w.T("engine.payments.currency.fix", "What", noun(w, docType), "Code", code, "Package", imp.pkg())}, nil
		}
		if i, ok := byRef[ref]; ok {
			out[i].amount = out[i].amount.Add(a.Amount)
			continue
		}
		l, _, err := tx.Link(ref)
		if err != nil {
			return nil, nil, err
		}
		counted := !r.UpdatedAt.IsZero() && l.MirroredFingerprint == sr.Fingerprint && !l.RemoteUpdatedAt.Before(r.UpdatedAt)
		byRef[ref] = len(out)
		out = append(out, target{ref: ref, amount: a.Amount, counted: counted, doc: doc})
	}
	for i, tg := range out {
		if tg.counted {
			continue
		}
		due := imp.amountDue(tg.doc)
		if w := imp.w(); tg.amount.GreaterThan(due) {
			return nil, &verdict{outcome: storage.ImportOverAllocation,
				status: w.T("engine.payments.over_allocation", "Amount", w.Decimal(tg.amount, 2), "What", noun(w, tg.ref.Type), "Code", tg.ref.Code, "Due", w.Decimal(due, 2)),
				fix:    w.T("engine.payments.over_allocation.fix", "What", noun(w, tg.ref.Type), "Code", tg.ref.Code, "Package", imp.pkg())}, nil
		}
		out[i].doc.Total = imp.total(tg.doc)
		out[i].doc.AmountDue = due
	}
	return out, creditNote, nil
}

// localCode finds the local document an allocation names: through the ID
// link when the package gave its own ID, otherwise by code among the
// documents linked to the package.
func (imp *importer) localCode(tx *storage.ImportTx, docType connectors.RecordType, a connectors.Allocation) (string, bool, error) {
	if id := strings.TrimSpace(a.DocumentRemoteID); id != "" {
		return tx.CodeForRemoteID(docType, id)
	}
	l, linked, err := tx.Link(Ref{Type: docType, Code: a.DocumentCode})
	if err != nil || !linked || l.RemoteID == "" {
		return "", false, err
	}
	return a.DocumentCode, true, nil
}

// total is the document's total: as the package reported it, or worked out
// from its lines and the package's tax rates when LedgerLink never learnt
// it.
func (imp *importer) total(d connectors.Document) decimal.Decimal {
	if d.Total.IsPositive() {
		return d.Total
	}
	total := decimal.Zero
	hundred := decimal.NewFromInt(100)
	for _, l := range d.Lines {
		net := l.Net()
		switch {
		case d.TaxInclusive:
			total = total.Add(net)
		case !l.TaxAmount.IsZero():
			total = total.Add(net).Add(l.TaxAmount)
		default:
			total = total.Add(net).Add(net.Mul(imp.taxRate(l)).Div(hundred).Round(2))
		}
	}
	return total.Round(2)
}

// amountDue is what is left to pay on the document in LedgerLink.
func (imp *importer) amountDue(d connectors.Document) decimal.Decimal {
	if d.Total.IsPositive() {
		return d.AmountDue
	}
	return imp.total(d)
}

// taxRate is the rate of a line's tax code (through the module's tax
// mapping), or of its nominal account's default tax code.
func (imp *importer) taxRate(l connectors.Line) decimal.Decimal {
	code := strings.TrimSpace(l.TaxCode)
	if code != "" {
		code = cmpOr(strings.TrimSpace(imp.settings[MapTaxPrefix+code]), code)
	} else if l.NominalCode != "" {
		acct := cmpOr(strings.TrimSpace(imp.settings[MapNominalPrefix+l.NominalCode]), l.NominalCode)
		code = imp.taxOfAccount[acct]
	}
	return imp.taxRates[code]
}

// company is the name of the payment's customer or supplier.
func (imp *importer) company(tx *storage.ImportTx, t connectors.RecordType, party string) string {
	if party == "" {
		return ""
	}
	pt := connectors.Customers
	if t == connectors.PurchasePayments {
		pt = connectors.Suppliers
	}
	if sr, found, err := tx.Get(Ref{Type: pt, Code: party}); err == nil && found && sr.Record.Party != nil && sr.Record.Party.Name != "" {
		return sr.Record.Party.Name
	}
	return party
}

// apply creates the payment in the workspace, linked to the package's, and
// lowers the amount due of the documents it pays.
func (imp *importer) apply(tx *storage.ImportTx, t connectors.RecordType, r connectors.Remote, party string, targets []target) error {
	for _, tg := range targets {
		if tg.counted {
			continue
		}
		doc := tg.doc
		doc.Lines = append([]connectors.Line(nil), doc.Lines...)
		doc.AmountDue = doc.AmountDue.Sub(tg.amount)
		if doc.AmountDue.IsZero() && tg.ref.Type != connectors.CreditNotes {
			switch doc.Status {
			case "", connectors.StatusDraft, connectors.StatusSubmitted, connectors.StatusAuthorised:
				doc.Status = connectors.StatusPaid
			}
		}
		if _, err := tx.PutPackageFigures(connectors.Record{Type: tg.ref.Type, Document: &doc}); err != nil {
			return err
		}
	}
	local := imp.in.record(t, r.Record)
	p := *local.Payment
	p.PartyCode = party
	p.Allocations = nil
	for _, tg := range targets {
		p.Allocations = append(p.Allocations, connectors.Allocation{DocumentType: tg.ref.Type, DocumentCode: tg.ref.Code, Amount: tg.amount})
	}
	local.Payment = &p
	mirrored, err := imp.in.fingerprint(t, r.Record)
	if err != nil {
		return err
	}
	url := ""
	if imp.linker != nil {
		url = imp.linker.RecordURL(t, r.RemoteID)
	}
	_, err = tx.PutFromPackage(local, r.RemoteID, mirrored, r.UpdatedAt, url)
	return err
}

// deleted handles a payment the package deleted: undone here when
// allocating (if LedgerLink had it, it was never created otherwise); when
// only showing, its row says what Create & Allocate Payments will do, and
// it waits for that.
func (imp *importer) deleted(tx *storage.ImportTx, t connectors.RecordType, r connectors.Remote) error {
	if imp.allocate {
		row, err := undoPayment(imp.e.Words(), tx, imp.def, t, r, imp.rep)
		if row != nil {
			imp.wrote = append(imp.wrote, *row)
		}
		return err
	}
	code, had, err := tx.CodeForRemoteID(t, r.RemoteID)
	if err != nil {
		return err
	}
	if l, _, err := tx.Link(Ref{Type: t, Code: code}); err != nil || (had && l.Gone != "") {
		return err
	}
	row, found, err := tx.Row(t, r.RemoteID)
	if err != nil || (!found && !had) {
		return err
	}
	if !found {
		row = ImportRow{Type: t, Kind: storage.ImportKindOf(t), RemoteID: r.RemoteID, Code: code, Reference: code}
	}
	row.Outcome, row.Remote, row.Fix = storage.ImportWaiting, r, ""
	row.Status = imp.w().T("engine.payments.deleted", "Package", imp.pkg())
	return imp.write(tx, row)
}

// w are the words the import writes its statuses in.
func (imp *importer) w() *words.Words { return imp.e.Words() }

// kindKey is the status of an allocation to a document a payment of type
// t cannot pay.
func kindKey(t connectors.RecordType) string {
	if storage.ImportKindOf(t) == storage.ImportPurchase {
		return "engine.payments.wrong_document.purchase"
	}
	return "engine.payments.wrong_document.sales"
}
