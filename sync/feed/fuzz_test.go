package feed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var fuzzCSVNames = []string{"customers.csv", "suppliers.csv", "quotes.csv", "sales_invoices.csv", "purchase_invoices.csv",
	"credit_notes.csv", "invoice_payments.csv", "purchase_payments.csv", "journals.csv", "export.csv", "products.csv"}

// checkFuzzResult holds for every input: whole-file trouble is an ErrFile,
// everything else is problems, and what is accepted is a valid record of
// the file's type.
func checkFuzzResult(t *testing.T, res Result, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrFile) {
			t.Fatalf("error is not ErrFile: %v", err)
		}
		if strings.TrimSpace(err.Error()) == "" {
			t.Fatal("empty error message")
		}
		return
	}
	for _, r := range res.Records {
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted an invalid record: %v", err)
		}
		if r.Type != res.Type {
			t.Fatalf("record of type %s in a %s result", r.Type, res.Type)
		}
	}
	for _, p := range res.Problems {
		if p.Message == "" || p.File == "" {
			t.Fatalf("problem without message or file: %+v", p)
		}
	}
	if len(res.Records) > res.Lines {
		t.Fatalf("%d records from %d lines", len(res.Records), res.Lines)
	}
}

func addSampleSeeds(f *testing.F, ext string, add func(int, string)) {
	files, err := filepath.Glob(filepath.Join(sampleDir, "*"+ext))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i, n := range fuzzCSVNames {
			if strings.TrimSuffix(n, ".csv") == strings.TrimSuffix(filepath.Base(file), ext) {
				add(i, string(b))
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	addSampleSeeds(f, ".csv", func(i int, s string) { f.Add(uint8(i), s) })
	seeds := []string{
		"code,name\nC1,A\n",
		"code;party_code;date;description;unit_price\nI;C;23.11.2026;x;1.234,5\nI;C;;y;\"2\n3\"\n",
		"type,code,name\nsupplier,S1,B\n",
		"code,date,amount,allocated_document,allocated_amount\nP,2026-11-01,5,I1,6\nP,,,I2,\n",
		"code,company,date,period,nominal_code,debit,credit\nJ,H,2026-11-01,13/2026,1,1,1\n",
		"sep=\t\ncode\tname\n\"C1\tA\n",
		"\xEF\xBB\xBFcode,name,custom:,custom:X,custom:x\nC1,A,1,2,3\n",
		"code,name,,\nC1,A,b,c,d,e\n",
		"code,party_code,date,description,unit_price,discount\nI,C,31/02/2026,,(1),101%\nI,D,2026-11-01,x,-,\n",
		"Stock Code,Product Name,Selling Price,Cost Price,Stock Item\nP1,Mug,12.00,-4,maybe\nP1,,x,,yes\n",
	}
	for _, s := range seeds {
		for i := range fuzzCSVNames {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, nameIdx uint8, content string) {
		name := fuzzCSVNames[int(nameIdx)%len(fuzzCSVNames)]
		res, err := Read(context.Background(), name, strings.NewReader(content), Options{})
		checkFuzzResult(t, res, err)
	})
}

var fuzzJSONNames = []string{"customers.json", "sales_invoices.json", "invoice_payments.json", "journals.json", "export.json", "products.json"}

func FuzzReadJSON(f *testing.F) {
	addSampleSeeds(f, ".json", func(_ int, s string) {
		for i := range fuzzJSONNames {
			f.Add(uint8(i), s)
		}
	})
	seeds := []string{
		`[{"type":"customer","party":{"code":"C1","name":"A","tags":["x"],"custom_fields":{"a":"b"}}}]`,
		`{"type":"sales_invoices","records":[{"code":"I","party_code":"C","date":"2026-11-01","currency":"gbp","lines":[{"description":"x","quantity":"1e3","unit_price":1.5}]}]}`,
		`{"type":"invoice_payments","records":[{"code":"P","date":"2026-11-01","amount":"5","allocations":[{"document_type":"sales_invoice","document_code":"I","amount":5}]}]}`,
		`{"type":"journals","records":[{"code":"J","company":"H","date":"2026-11-01","period":"2026-11","lines":[{"nominal_code":"1","debit":"1"},{"nominal_code":"2","credit":"1","period":"2026-10"}]}]}`,
		`[{"type":"customer","party":{"code":"C1","name":"A","extra":{"deep":[1,2,{"x":null}]}}}, null, 3, "x"]`,
		`{"records":[{"code":17,"date":"31/02/2026","lines":"no"}],"type":"quotes"}`,
		`[{"type":"journal","journal":null,"party":{"code":"x","name":"y"}}]`,
	}
	for _, s := range seeds {
		for i := range fuzzJSONNames {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, nameIdx uint8, content string) {
		name := fuzzJSONNames[int(nameIdx)%len(fuzzJSONNames)]
		res, err := Read(context.Background(), name, strings.NewReader(content), Options{})
		checkFuzzResult(t, res, err)
	})
}
