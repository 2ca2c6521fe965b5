package cash

import (
	"errors"
	"regexp"
	"strings"

	"ledgerlink/connectors"
)

// Entry is one message of the catalogue: CASH's words (or LedgerLink's own
// about CASH) and what they mean for a bookkeeper, in English and Dutch.
// Where CASH's exact wording is not published, the pattern accepts the
// likely variants.
type Entry struct {
	Pattern  *regexp.Regexp
	CauseEN  string
	FixEN    string
	CauseNL  string
	FixNL    string
	Examples []string // messages the entry must match (tested)
}

// catalogue is the one table of CASH messages, most specific first.
var catalogue = []Entry{
	{
		Pattern:  regexp.MustCompile(`(?i)De XML import is nog niet verwerkt door een administratie`),
		CauseEN:  "The Cash Web account LedgerLink is linked with has too few rights to read journal entries into the client's administration, so CASH keeps the import pending. The entry is not booked, and LedgerLink keeps it pending.",
		FixEN:    "In Cash Web, make the account that links with LedgerLink (the API user) a user of the client's administration, then send the journal again. Nothing is booked twice: an entry CASH processes in the meantime is recognised.",
		CauseNL:  "Het account waarmee de CASH-koppeling tot stand is gebracht, heeft te weinig rechten om de journaalposten in te lezen in de administratie van de klant; CASH houdt de import in behandeling. De post is niet geboekt en blijft in LedgerLink klaarstaan.",
		FixNL:    "Maak in Cash Web het account dat met LedgerLink koppelt (de API-gebruiker) gebruiker van de administratie van de klant, en verstuur de journaalpost opnieuw. Er wordt niets dubbel geboekt: een post die CASH intussen verwerkt, wordt herkend.",
		Examples: []string{seedPendingMessage},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)\b1002\b|Unauthorized Access`),
		CauseEN:  "Cash Web answered 1002 Unauthorized Access: the API user has no administration linked to it, or not this administration.",
		FixEN:    "Ask the client's manager or your accountant to link the administration to the API user in Cash Web (Gebruikersbeheer), then sign in again.",
		CauseNL:  "Cash Web antwoordde 1002 Unauthorized Access: aan de API-gebruiker is geen administratie gekoppeld, of niet deze.",
		FixNL:    "Laat de beheerder van de klant of uw accountant de administratie in Cash Web (Gebruikersbeheer) aan de API-gebruiker koppelen, en log daarna opnieuw in.",
		Examples: []string{"1002 Unauthorized Access"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)does not recognise this API key|^Unauthorized$`),
		CauseEN:  "Cash Web does not know the API key LedgerLink signed in with; it may have been generated anew in Cash Web, which stops the old one working.",
		FixEN:    "Copy the key again in Cash Web (Gebruikersoverzicht → the API user → tab Api) and sign in again. LedgerLink works with Cash Web only; Cash Win has no API key.",
		CauseNL:  "Cash Web kent de API-sleutel niet waarmee LedgerLink inlogt; mogelijk is in Cash Web een nieuwe sleutel gegenereerd, waardoor de oude niet meer werkt.",
		FixNL:    "Kopieer de sleutel opnieuw in Cash Web (Gebruikersoverzicht → de API-gebruiker → tabblad Api) en log opnieuw in. LedgerLink werkt alleen met Cash Web; Cash Win heeft geen API-sleutel.",
		Examples: []string{"Unauthorized"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)Cash Win`),
		CauseEN:  "The administration is kept in Cash Win, the desktop program, which has no API: LedgerLink works with Cash Web only.",
		FixEN:    "Use Cash Web for this administration, or book the payroll journals in Cash Win by hand.",
		CauseNL:  "De administratie staat in Cash Win, het desktopprogramma, dat geen API heeft: LedgerLink werkt alleen met Cash Web.",
		FixNL:    "Gebruik Cash Web voor deze administratie, of boek de journaalposten met de hand in Cash Win.",
		Examples: []string{errCashWin.Error()},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)administratie \S+ (bestaat niet|is onbekend|niet gevonden)|onbekende administratie|geen administratie opgegeven|not among those this API key reaches`),
		CauseEN:  "The administration the entry is addressed to does not exist in Cash Web or is not linked to the API user.",
		FixEN:    "On the Administraties tab, map the company to an administration chosen from the list; sign in again if the list is out of date.",
		CauseNL:  "De administratie waarvoor de post bedoeld is, bestaat niet in Cash Web of is niet aan de API-gebruiker gekoppeld.",
		FixNL:    "Koppel het bedrijf op het tabblad Administraties aan een administratie uit de lijst; log opnieuw in als de lijst niet klopt.",
		Examples: []string{"Administratie XYZ bestaat niet", "Geen administratie opgegeven"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)alleen[- ]lezen|read[- ]only`),
		CauseEN:  "The administration is read only for the API user, so CASH books nothing in it.",
		FixEN:    "Give the API user rights to book in the administration in Cash Web, or map the company to another administration.",
		CauseNL:  "De administratie is voor de API-gebruiker alleen-lezen; CASH boekt er niets in.",
		FixNL:    "Geef de API-gebruiker in Cash Web boekingsrechten in de administratie, of koppel het bedrijf aan een andere administratie.",
		Examples: []string{"Administratie HLCR is alleen-lezen"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde 0901=|no journal \S+;`),
		CauseEN:  "The journal (dagboek) code the entry is booked in does not exist in the CASH administration.",
		FixEN:    "On the Administraties tab, give the company a journal code the administration has (for example its memoriaal journal), then send again.",
		CauseNL:  "De dagboekcode waarin de post geboekt wordt, bestaat niet in de CASH-administratie.",
		FixNL:    "Geef het bedrijf op het tabblad Administraties een dagboekcode die de administratie heeft (bijvoorbeeld het memoriaal), en verstuur opnieuw.",
		Examples: []string{"Ongeldige waarde 0901=XYZ"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde 0201=`),
		CauseEN:  "A ledger account (grootboekrekening) on the entry does not exist in the CASH administration.",
		FixEN:    "On the Mapping tab, map the payroll account to an account of the administration (Get Nominal & Tax Accounts refreshes CASH's chart), then send again.",
		CauseNL:  "Een grootboekrekening op de post bestaat niet in de CASH-administratie.",
		FixNL:    "Koppel de looncode op het tabblad Mapping aan een rekening van de administratie (Get Nominal & Tax Accounts haalt het rekeningschema van CASH op), en verstuur opnieuw.",
		Examples: []string{"Ongeldige waarde 0201=8000"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde 0911=`),
		CauseEN:  "A cost centre (kostenplaats) on the entry does not exist in the CASH administration, or is blocked there.",
		FixEN:    "Create the cost centre in CASH, or give the payroll cost centre its CASH code under Options → Cost centre codes in CASH, then send again.",
		CauseNL:  "Een kostenplaats op de post bestaat niet in de CASH-administratie, of is daar geblokkeerd.",
		FixNL:    "Maak de kostenplaats aan in CASH, of geef de kostenplaats uit de salarisadministratie haar CASH-code onder Opties → Kostenplaatscodes in CASH, en verstuur opnieuw.",
		Examples: []string{"Ongeldige waarde 0911=ZZ"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)niet in (evenwicht|balans)|does not balance|out of balance`),
		CauseEN:  "The entry's debits and credits do not add up to zero, and CASH books only balanced entries.",
		FixEN:    "Correct the journal in the payroll system so that each period, cost centre and cost type balances, and import it again.",
		CauseNL:  "Debet en credit van de post tellen niet op tot nul; CASH boekt alleen sluitende posten.",
		FixNL:    "Corrigeer de journaalpost in de salarisadministratie zodat elke periode, kostenplaats en kostensoort sluit, en lees hem opnieuw in.",
		Examples: []string{"Boeking 123456 in dagboek LON is niet in evenwicht"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)periode \S+ is (afgesloten|gesloten)|ongeldige waarde 03(01|10)=`),
		CauseEN:  "The booking period of the entry is closed in CASH (or not a period CASH knows).",
		FixEN:    "Reopen the period in CASH, or ask the bookkeeper which period to book the correction in, then send again.",
		CauseNL:  "De boekingsperiode van de post is in CASH afgesloten (of geen periode die CASH kent).",
		FixNL:    "Open de periode weer in CASH, of vraag de boekhouder in welke periode de correctie geboekt moet worden, en verstuur opnieuw.",
		Examples: []string{"Periode 2510 is afgesloten"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)already booked in CASH|stuk\s*(nummer)?\s*\S+ bestaat al|refused every document number`),
		CauseEN:  "CASH already holds this entry's document number (stuknummer) with other lines: the journal was changed after it was sent, and CASH does not change a booked entry.",
		FixEN:    "Reverse the entry in CASH, then use Mark as Not Exported so that LedgerLink sends the journal again.",
		CauseNL:  "CASH heeft het stuknummer van deze post al, met andere regels: de journaalpost is na verzending gewijzigd, en CASH wijzigt een geboekte post niet.",
		FixNL:    "Boek de post in CASH terug en gebruik daarna Mark as Not Exported, zodat LedgerLink de journaalpost opnieuw verstuurt.",
		Examples: []string{"Stuknummer 123456 bestaat al in dagboek LON"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)longer than the \d+ characters|ongeldige waarde 0(303|306|711|201|901)=`),
		CauseEN:  "A value on the entry is longer than CASH's field allows (ledger account and journal 6 characters, cost centre 3, description 25, reference 13, document number 6 digits).",
		FixEN:    "Give the code its short CASH form on the Mapping or Options tab (descriptions LedgerLink cuts itself), then send again.",
		CauseNL:  "Een waarde op de post is langer dan het veld in CASH toestaat (grootboekrekening en dagboek 6 tekens, kostenplaats 3, omschrijving 25, referentie 13, stuknummer 6 cijfers).",
		FixNL:    "Geef de code haar korte CASH-vorm op het tabblad Mapping of Opties (omschrijvingen kort LedgerLink zelf in), en verstuur opnieuw.",
		Examples: []string{"Ongeldige waarde 0306=Een omschrijving die veel te lang is"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde \d{4}=`),
		CauseEN:  "CASH refused a value on the entry; the message names the field by its number in CASH's record layout (0201 ledger account, 0301 period, 0302 date, 0303 document number, 0306 description, 0307 amount, 0901 journal, 0911 cost centre).",
		FixEN:    "Correct that value in the payroll journal or in the mapping, then send again.",
		CauseNL:  "CASH weigerde een waarde op de post; de melding noemt het veld bij zijn rubrieknummer uit de recordindeling van CASH (0201 grootboekrekening, 0301 periode, 0302 datum, 0303 stuknummer, 0306 omschrijving, 0307 bedrag, 0901 dagboek, 0911 kostenplaats).",
		FixNL:    "Corrigeer die waarde in de journaalpost of in de koppeling, en verstuur opnieuw.",
		Examples: []string{"Ongeldige waarde 0307=12.5"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)^(Payroll journal|Line \d+ of payroll journal|Cost centre|Cost type|Ledger account|Journal code) .*`),
		CauseEN:  "LedgerLink did not send this journal to CASH: the message says what CASH would not accept.",
		FixEN:    "Do what the message says, then send again.",
		CauseNL:  "LedgerLink heeft deze journaalpost niet naar CASH verstuurd: de melding zegt wat CASH niet zou accepteren.",
		FixNL:    "Doe wat de melding zegt, en verstuur opnieuw.",
		Examples: []string{"Payroll journal J-1 has no date; CASH needs a booking date."},
	},
}

// Catalogue returns the catalogue's entries, for translation and review.
func Catalogue() []Entry { return append([]Entry(nil), catalogue...) }

// Explain gives the cause and fix of a CASH message, in English.
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return ExplainIn(err, "en") }

// ExplainIn gives the cause and fix in lang ("nl" Dutch, else English).
func ExplainIn(err error, lang string) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	msg := err.Error()
	var ie *connectors.ItemError
	if errors.As(err, &ie) {
		msg = ie.Message
	}
	for _, e := range catalogue {
		if e.Pattern.MatchString(msg) {
			if strings.HasPrefix(strings.ToLower(lang), "nl") {
				return connectors.Explanation{Cause: e.CauseNL, Fix: e.FixNL}, true
			}
			return connectors.Explanation{Cause: e.CauseEN, Fix: e.FixEN}, true
		}
	}
	return connectors.Explanation{}, false
}
