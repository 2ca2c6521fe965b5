package qbosim

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// kind is what a schema field holds.
type kind int

const (
	kString kind = iota
	kDecimal
	kBool
	kDate
	kDateTime
	kInt
	kObject
	kAny
)

// field is one element or attribute of a schema type.
type field struct {
	kind kind
	// of names the complex type of a kObject field.
	of string
	// many fields are arrays.
	many bool
	// enum, when set, lists the values allowed.
	enum []string
}

// checkEntity checks a request's entity against the schema (strict mode):
// every field known to the entity's type, each value of its kind.
func (s *Sim) checkEntity(entity string, o obj) *qfault {
	if !s.strict {
		return nil
	}
	if problem := checkObject(entity, entity, o); problem != "" {
		s.violate("%s", problem)
		return unsupportedProperty(problem)
	}
	return nil
}

// checkObject returns the first way o breaks type typ, or "".
func checkObject(path, typ string, o obj) string {
	fields, ok := xsdTypes[typ]
	if !ok {
		return ""
	}
	for k, v := range o {
		f, ok := fields[k]
		if !ok {
			return fmt.Sprintf("%s.%s is not a field of %s", path, k, typ)
		}
		if p := checkValue(path+"."+k, f, v); p != "" {
			return p
		}
	}
	return ""
}

func checkValue(path string, f field, v any) string {
	if v == nil {
		return ""
	}
	if f.many {
		arr, ok := v.([]any)
		if !ok {
			return path + " must be a list"
		}
		one := f
		one.many = false
		for i, e := range arr {
			if p := checkValue(fmt.Sprintf("%s[%d]", path, i), one, e); p != "" {
				return p
			}
		}
		return ""
	}
	switch f.kind {
	case kAny:
		return ""
	case kObject:
		m, ok := v.(obj)
		if !ok {
			return path + " must be an object"
		}
		return checkObject(path, f.of, m)
	case kString:
		s, ok := v.(string)
		if !ok {
			return path + " must be text"
		}
		if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
			return fmt.Sprintf("%s is %q, not one of %v", path, s, f.enum)
		}
	case kDecimal, kInt:
		n, ok := v.(json.Number)
		if !ok {
			return path + " must be a number"
		}
		if f.kind == kInt {
			if _, err := n.Int64(); err != nil {
				return path + " must be a whole number"
			}
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			return path + " must be true or false"
		}
	case kDate:
		s, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return path + " must be a date yyyy-MM-dd"
		}
	case kDateTime:
		s, ok := v.(string)
		if _, err := time.Parse(time.RFC3339, s); !ok || err != nil {
			return path + " must be a date and time such as 2026-05-01T10:00:00-07:00"
		}
	}
	return ""
}
