package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TestMatrixHeadersFitTheirColumns: a header whose one word is wider than
// a column is written smaller, with its neighbours, rather than broken
// between letters; headers that fit keep the normal size.
func TestMatrixHeadersFitTheirColumns(t *testing.T) {
	test.NewTempApp(t)
	bold := fyne.TextStyle{Bold: true}
	word := fyne.MeasureText("Verkoopfacturen", theme.TextSize(), bold).Width
	tests := []struct {
		name  string
		width float32
		want  fyne.ThemeSizeName
	}{
		{"too narrow for the word", word, theme.SizeNameCaptionText},
		{"room for the word", word + 2*theme.InnerPadding() + 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := []*widget.Label{
				widget.NewLabelWithStyle("Klanten", fyne.TextAlignCenter, bold),
				widget.NewLabelWithStyle("Verkoopfacturen", fyne.TextAlignCenter, bold),
			}
			fitHeaders(headers, tt.width)
			for _, h := range headers {
				if h.SizeName != tt.want {
					t.Errorf("%s: size %q, want %q", h.Text, h.SizeName, tt.want)
				}
			}
		})
	}
}
