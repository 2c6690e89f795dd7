package awslambda

import (
	"errors"
	"fmt"
	"os"
	"reflect"
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
	t := reflect.TypeOf(config)
	var out []string
	for i := range t.NumField() {
		if name, _, ok := envTag(t.Field(i)); ok {
			out = append(out, name)
		}
	}
	return out
}

func envTag(f reflect.StructField) (name string, optional, ok bool) {
	tag, ok := f.Tag.Lookup("env")
	if !ok {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	return name, opts == "optional", true
}

func fromLookup(dst any, lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("FromEnv wants a pointer to a struct, not %T", dst)
	}
	v = v.Elem()
	var missing, malformed []string
	for i := range v.NumField() {
		name, optional, ok := envTag(v.Type().Field(i))
		if !ok {
			continue
		}
		raw, set := lookup(name)
		raw = strings.TrimSpace(raw)
		if !set || raw == "" {
			if !optional {
				missing = append(missing, name)
			}
			continue
		}
		if err := setField(v.Field(i), raw); err != nil {
			malformed = append(malformed, fmt.Sprintf("%s=%q: %v", name, raw, err))
		}
	}
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
