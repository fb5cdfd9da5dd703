package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// MaxSourceSize bounds a profile's size. The largest seed profile is a few
// hundred kilobytes; anything far beyond is not a hand-written profile.
const MaxSourceSize = 8 << 20

// Load parses, validates and compiles a profile. filename is used only in
// error positions. On failure the error is a LoadErrors holding every
// problem found, each with file:line:column and a Japanese and English
// reason.
func Load(filename string, data []byte) (*Policy, error) {
	if len(data) > MaxSourceSize {
		return nil, LoadErrors{{File: filename, Code: ECodeSyntax, Message: Text{
			JA: fmt.Sprintf("プロファイルが大きすぎます（%d バイト超）", MaxSourceSize),
			EN: fmt.Sprintf("profile larger than %d bytes", MaxSourceSize),
		}}}
	}
	root, err := parseYAML(filename, data)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: filename}
	var doc document
	d.decode(root, reflect.ValueOf(&doc).Elem(), nil, "")
	if len(d.errs) > 0 {
		// Structural errors first: validating a half-decoded document would
		// bury them under consequential noise.
		return nil, sorted(d.errs)
	}
	p := &Policy{file: filename, source: append([]byte(nil), data...), doc: &doc}
	sum := sha256.Sum256(data)
	p.hash = hex.EncodeToString(sum[:])
	v := &validator{file: filename, p: p}
	v.validate(&doc)
	if len(v.errs) == 0 {
		v.compile()
	}
	if len(v.errs) > 0 {
		return nil, sorted(v.errs)
	}
	return p, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseYAML parses data into its root mapping node. yaml.v3 reports syntax
// errors as text; the line number is recovered from it.
func parseYAML(filename string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// A parser bug must not take the server down with it: Load is fed
		// uploaded files.
		if r := recover(); r != nil {
			root, err = nil, LoadErrors{{File: filename, Code: ECodeSyntax, Message: Text{
				JA: fmt.Sprintf("YAML を解析できません: %v", r), EN: fmt.Sprintf("cannot parse YAML: %v", r)}}}
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		line := 0
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		return nil, LoadErrors{{File: filename, Line: line, Column: 1, Code: ECodeSyntax, Message: Text{
			JA: "YAML の構文誤り: " + err.Error(), EN: "YAML syntax error: " + err.Error()}}}
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
		return nil, LoadErrors{{File: filename, Line: 1, Column: 1, Code: ECodeRequired, Message: Text{
			JA: "プロファイルが空です", EN: "empty profile"}}}
	}
	top := n.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, LoadErrors{{File: filename, Line: top.Line, Column: top.Column, Code: ECodeType, Message: Text{
			JA: "プロファイルの最上位はマッピングでなければなりません", EN: "the top level of a profile must be a mapping"}}}
	}
	return top, nil
}

func sorted(es LoadErrors) LoadErrors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
	return es
}
