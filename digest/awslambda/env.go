package awslambda

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// FromEnv fills the struct dst points to from the environment, by its env
// tags (see config.go), and reports every missing or malformed variable at
// once, so that one failed cold start tells the operator everything to fix.
func FromEnv(dst any) error {
	return fromLookup(dst, os.LookupEnv)
}

// EnvVars lists the variables a configuration struct reads, for the
// template's test.
func EnvVars(config any) []string {
	var out []string
	eachEnvField(reflect.TypeOf(config), nil, func(name string, _ bool, _ []int) { out = append(out, name) })
	return out
}

// eachEnvField calls each for every field of t with an env tag, and for
// those of the structs t embeds (the settings two functions share), with
// the field's index path.
func eachEnvField(t reflect.Type, index []int, each func(name string, optional bool, index []int)) {
	for i := range t.NumField() {
		f := t.Field(i)
		path := append(slices.Clone(index), i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			eachEnvField(f.Type, path, each)
			continue
		}
		tag, ok := f.Tag.Lookup("env")
		if !ok {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		each(name, opts == "optional", path)
	}
}

func fromLookup(dst any, lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("FromEnv wants a pointer to a struct, not %T", dst)
	}
	v = v.Elem()
	var missing, malformed []string
	eachEnvField(v.Type(), nil, func(name string, optional bool, index []int) {
		raw, set := lookup(name)
		raw = strings.TrimSpace(raw)
		if !set || raw == "" {
			if !optional {
				missing = append(missing, name)
			}
			return
		}
		if err := setField(v.FieldByIndex(index), raw); err != nil {
			malformed = append(malformed, fmt.Sprintf("%s=%q: %v", name, raw, err))
		}
	})
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("missing environment variables: %s", strings.Join(missing, ", ")))
	}
	if len(malformed) > 0 {
		errs = append(errs, fmt.Errorf("malformed environment variables: %s", strings.Join(malformed, "; ")))
	}
	return errors.Join(errs...)
}

func setField(f reflect.Value, raw string) error {
	switch f.Kind() {
	case reflect.String:
		f.SetString(raw)
	case reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 {
			return errors.New("want a whole number above 0")
		}
		f.SetInt(int64(n))
	case reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil || x <= 0 {
			return errors.New("want a number above 0")
		}
		f.SetFloat(x)
	case reflect.Slice:
		var items []string
		for item := range strings.SplitSeq(raw, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		f.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("unsupported field kind %s", f.Kind())
	}
	return nil
}
