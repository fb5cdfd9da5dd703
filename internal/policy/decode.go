package policy

import (
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pos is where a profile element starts in its source, with the positions
// of its fields so that validation can point at the exact value at fault.
type Pos struct {
	Line, Column int
	fields       map[string]Pos
}

// At returns the position of the named field (a dotted path for nested
// values and list elements, e.g. "route.0.role"), or of the element itself
// when the field was not written.
func (p Pos) At(field string) Pos {
	if q, ok := p.fields[field]; ok {
		return q
	}
	return Pos{Line: p.Line, Column: p.Column, fields: p.fields}
}

// scalarShorthand is a struct that may also be written as one scalar
// (a substitute as a bare role id: "substitutes: [deputy]").
type scalarShorthand interface {
	fromScalar(value string, pos Pos)
}

// maxAliases bounds alias expansion: a profile is a hand-written document,
// and an alias bomb must not make Load allocate without limit.
const maxAliases = 1000

// decoder turns a yaml.Node tree into the profile structs by reflection,
// recording positions and rejecting unknown keys, so that every mistake an
// author makes is reported with file:line:column instead of being ignored.
type decoder struct {
	file    string
	errs    LoadErrors
	aliases int
}

var (
	posType  = reflect.TypeFor[Pos]()
	textType = reflect.TypeFor[Text]()
)

func (d *decoder) errorf(n *yaml.Node, code ErrorCode, ja, en string) {
	d.errs = append(d.errs, LoadError{File: d.file, Line: n.Line, Column: n.Column, Code: code, Message: Text{JA: ja, EN: en}})
}

func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		if d.aliases > maxAliases {
			d.errorf(n, ECodeSyntax, "エイリアスが多すぎます", "too many aliases")
			return nil
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

// decode fills v from n. fields is the position table of the nearest
// enclosing struct that has a Pos field and path the dotted path from it.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, fields map[string]Pos, path string) {
	n = d.resolve(n)
	if n == nil {
		return
	}
	if path != "" && fields != nil {
		if _, ok := fields[path]; !ok {
			fields[path] = Pos{Line: n.Line, Column: n.Column}
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		nv := reflect.New(v.Type().Elem())
		d.decode(n, nv.Elem(), fields, path)
		v.Set(nv)
	case reflect.Struct:
		if v.Type() == textType {
			d.decodeText(n, v)
			return
		}
		if n.Kind == yaml.ScalarNode && !isNull(n) && v.CanAddr() {
			if sh, ok := v.Addr().Interface().(scalarShorthand); ok {
				sh.fromScalar(n.Value, Pos{Line: n.Line, Column: n.Column})
				return
			}
		}
		d.decodeStruct(n, v, fields, path)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, ECodeType, "リストが必要ですが "+kindName(n)+" があります", "expected a sequence, found a "+kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fields, join(path, strconv.Itoa(i)))
		}
		v.Set(s)
	case reflect.String:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, ECodeType, "文字列が必要ですが "+kindName(n)+" があります", "expected a scalar, found a "+kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if isNull(n) {
			return
		}
		i, err := strconv.Atoi(strings.TrimSpace(n.Value))
		if n.Kind != yaml.ScalarNode || err != nil {
			d.errorf(n, ECodeType, "整数が必要です", "expected an integer")
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		if isNull(n) {
			return
		}
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil || (n.Tag != "!!bool" && n.Style == 0) {
			d.errorf(n, ECodeType, "true または false が必要です", "expected true or false")
			return
		}
		v.SetBool(b)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.errorf(n, ECodeType, "値を読めません: "+err.Error(), "cannot read value: "+err.Error())
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		// Only reachable if a model struct gains a field of a new kind; a
		// test loads every builtin profile, so this cannot ship unnoticed.
		d.errorf(n, ECodeType, "未対応の型です", "unsupported field type "+v.Type().String())
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// decodeText accepts {ja: …, en: …} or, as a shorthand, a bare string taken
// as Japanese.
func (d *decoder) decodeText(n *yaml.Node, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind == yaml.ScalarNode {
		v.Set(reflect.ValueOf(Text{JA: n.Value}))
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, ECodeType, "{ja, en} の形の文章が必要です", "expected text as {ja, en}")
		return
	}
	var t Text
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], d.resolve(n.Content[i+1])
		if val == nil {
			continue
		}
		if seen[k.Value] {
			d.errorf(k, ECodeDuplicateID, "キー "+k.Value+" が重複しています", "duplicate key "+k.Value)
		}
		seen[k.Value] = true
		if val.Kind != yaml.ScalarNode {
			d.errorf(val, ECodeType, "文字列が必要です", "expected a string")
			continue
		}
		switch k.Value {
		case "ja":
			t.JA = val.Value
		case "en":
			t.EN = val.Value
		default:
			d.errorf(k, ECodeUnknownField, "不明なキー "+k.Value+"（ja または en）", "unknown key "+k.Value+" (want ja or en)")
		}
	}
	v.Set(reflect.ValueOf(t))
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, fields map[string]Pos, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, ECodeType, "マッピングが必要ですが "+kindName(n)+" があります", "expected a mapping, found a "+kindName(n))
		return
	}
	t := v.Type()
	posField := -1
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Type == posType {
			posField = i
		}
	}
	own := Pos{Line: n.Line, Column: n.Column}
	if posField >= 0 {
		own.fields = map[string]Pos{}
		fields, path = own.fields, ""
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i])
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, ECodeType, "キーは文字列でなければなりません", "keys must be strings")
			continue
		}
		if seen[k.Value] {
			d.errorf(k, ECodeDuplicateID, "キー "+k.Value+" が重複しています", "duplicate key "+k.Value)
			continue
		}
		seen[k.Value] = true
		idx := fieldIndex(t, k.Value)
		if idx < 0 {
			d.errorf(k, ECodeUnknownField, "不明なキー "+k.Value+"（"+t.Name()+"）", "unknown key "+k.Value+" in "+t.Name())
			continue
		}
		d.decode(n.Content[i+1], v.Field(idx), fields, join(path, k.Value))
	}
	if posField >= 0 {
		v.Field(posField).Set(reflect.ValueOf(own))
	}
}

// fieldIndex finds the struct field whose yaml tag names key.
func fieldIndex(t reflect.Type, key string) int {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == key && name != "-" {
			return i
		}
	}
	return -1
}
