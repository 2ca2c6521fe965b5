package kashflow

import (
	"encoding/xml"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }
