package kashflowsim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// node is one element of a request, as read.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	text     string
	children []*node
}

func parseTree(raw []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
}

// field is one element a WSDL sequence allows.
type field struct {
	name     string
	typ      reflect.Type
	required bool
	integer  bool // xs:integer kept as text
}

var (
	moneyType    = reflect.TypeOf(Money{})
	dateTimeType = reflect.TypeOf(DateTime{})
)

// sequence lists the elements of a struct type in order, flattening
// embedded structs (the Auth every request starts with).
func sequence(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, sequence(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("kf")
		if tag == "xsitype" || strings.Contains(f.Tag.Get("xml"), ",attr") {
			continue
		}
		name := f.Name
		if x := strings.Split(f.Tag.Get("xml"), ","); x[0] != "" {
			name = x[0]
		}
		if name == "XMLName" {
			continue
		}
		fl := field{name: name, typ: f.Type, integer: strings.Contains(tag, "integer")}
		switch f.Type.Kind() {
		case reflect.Int, reflect.Bool:
			fl.required = true
		case reflect.Struct:
			fl.required = f.Type == moneyType || f.Type == dateTimeType
		}
		if strings.HasPrefix(tag, "opt") {
			fl.required = false
		}
		out = append(out, fl)
	}
	return out
}

// validate checks a request's operation element against the request type
// v points at: every element known, in WSDL order, required ones present,
// values of the right type, lines typed with xsi:type.
func validate(raw []byte, v any) []string {
	root, err := parseTree(raw)
	if err != nil {
		return []string{"the request is not well-formed XML: " + err.Error()}
	}
	var problems []string
	checkStruct(root, reflect.TypeOf(v).Elem(), root.name.Local, &problems)
	return problems
}

func checkStruct(n *node, t reflect.Type, path string, problems *[]string) {
	seq := sequence(t)
	if len(seq) == 1 && seq[0].typ.Kind() == reflect.Slice {
		checkArray(n, seq[0], path, problems)
		return
	}
	seen := map[string]bool{}
	last := -1
	for _, c := range n.children {
		if c.name.Space != Namespace {
			*problems = append(*problems, fmt.Sprintf("%s/%s is in namespace %q, want %q", path, c.name.Local, c.name.Space, Namespace))
		}
		idx := -1
		for i, f := range seq {
			if f.name == c.name.Local {
				idx = i
				break
			}
		}
		if idx < 0 {
			*problems = append(*problems, fmt.Sprintf("%s has no element %s", path, c.name.Local))
			continue
		}
		if seen[c.name.Local] {
			*problems = append(*problems, fmt.Sprintf("%s/%s is repeated", path, c.name.Local))
		}
		if idx < last {
			*problems = append(*problems, fmt.Sprintf("%s/%s is out of the WSDL's order", path, c.name.Local))
		}
		last = max(last, idx)
		seen[c.name.Local] = true
		checkValue(c, seq[idx], path+"/"+c.name.Local, problems)
	}
	for _, f := range seq {
		if f.required && !seen[f.name] {
			*problems = append(*problems, fmt.Sprintf("%s lacks the required element %s", path, f.name))
		}
	}
}

func checkArray(n *node, f field, path string, problems *[]string) {
	elem := f.typ.Elem()
	for _, c := range n.children {
		if c.name.Local != f.name {
			*problems = append(*problems, fmt.Sprintf("%s holds %s, want %s", path, c.name.Local, f.name))
			continue
		}
		if f.name == "anyType" {
			want := elem.Name()
			got := ""
			for _, a := range c.attrs {
				if a.Name.Local == "type" && a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance" {
					got = a.Value
				}
			}
			if got != want {
				*problems = append(*problems, fmt.Sprintf("%s/anyType has xsi:type %q, want %q", path, got, want))
			}
		}
		checkStruct(c, elem, path+"/"+c.name.Local, problems)
	}
}

func checkValue(c *node, f field, path string, problems *[]string) {
	text := strings.TrimSpace(c.text)
	bad := func(kind string) {
		*problems = append(*problems, fmt.Sprintf("%s is %q, not an %s", path, text, kind))
	}
	t := f.typ
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case f.integer:
		if text != "" {
			if _, err := strconv.Atoi(text); err != nil {
				bad("xs:integer")
			}
		}
	case t == moneyType:
		var m Money
		if text == "" || m.UnmarshalText([]byte(text)) != nil {
			bad("xs:decimal")
		}
	case t == dateTimeType:
		if _, err := parseDateTime(text); err != nil || text == "" {
			bad("xs:dateTime")
		}
	case t.Kind() == reflect.Int:
		if _, err := strconv.Atoi(text); err != nil {
			bad("xs:int")
		}
	case t.Kind() == reflect.Bool:
		if text != "true" && text != "false" && text != "1" && text != "0" {
			bad("xs:boolean")
		}
	case t.Kind() == reflect.String:
		if len(c.children) > 0 {
			*problems = append(*problems, fmt.Sprintf("%s must be text, not elements", path))
		}
	case t.Kind() == reflect.Struct:
		checkStruct(c, t, path, problems)
	}
}
