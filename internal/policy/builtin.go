package policy

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

// The seed profiles ship inside the binary so that a fresh installation can
// activate one without any file at hand.
//
//go:embed profiles/*.yaml
var profilesFS embed.FS

// BuiltinNames returns the names of the embedded profiles, sorted.
func BuiltinNames() []string {
	entries, err := fs.ReadDir(profilesFS, "profiles")
	if err != nil {
		return nil // unreachable: the directory is embedded
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// BuiltinSource returns the YAML of an embedded profile.
func BuiltinSource(name string) ([]byte, error) {
	if strings.ContainsAny(name, `/\.`) || name == "" {
		return nil, fmt.Errorf("policy: no builtin profile %q", name)
	}
	data, err := profilesFS.ReadFile(path.Join("profiles", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("policy: no builtin profile %q", name)
	}
	return data, nil
}

var builtinCache sync.Map // name → *builtinEntry

type builtinEntry struct {
	once sync.Once
	p    *Policy
	err  error
}

// Builtin loads an embedded profile. The compiled policy is cached: a
// Policy is immutable, so every caller may share it.
func Builtin(name string) (*Policy, error) {
	data, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	v, _ := builtinCache.LoadOrStore(name, &builtinEntry{})
	e := v.(*builtinEntry)
	e.once.Do(func() {
		e.p, e.err = Load("profiles/"+name+".yaml", data)
		if e.err != nil {
			e.err = fmt.Errorf("cannot load builtin profile %s: %w", name, e.err)
		}
	})
	return e.p, e.err
}
