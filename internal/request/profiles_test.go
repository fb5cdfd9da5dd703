package request_test

import (
	"slices"
	"testing"

	"mamori/internal/policy"
)

// TestKindsAreAnswerable checks every request kind of the built-in
// profiles against the engine's reading of them: each field that feeds a
// fact gives a value of the fact's type, and every fact the kind's action
// reads without a default is supplied by a field or (a level) by the
// assets of an asset_list field — else the policy could never decide
// such a request. 藤枝市 must pass; for the profiles still being written
// the findings are logged.
func TestKindsAreAnswerable(t *testing.T) {
	compatible := map[policy.FactType][]policy.FieldType{
		policy.FactBool:   {policy.FieldBool},
		policy.FactInt:    {policy.FieldInt},
		policy.FactString: {policy.FieldEnum, policy.FieldText},
		policy.FactLevel:  {policy.FieldEnum, policy.FieldText},
		policy.FactList:   {policy.FieldEnum, policy.FieldText},
	}
	for _, name := range policy.BuiltinNames() {
		pol, err := policy.Builtin(name)
		if err != nil {
			t.Logf("%s does not load: %v", name, err)
			continue
		}
		report := t.Logf
		if name == "fujieda" {
			report = t.Errorf
		}
		for _, k := range pol.RequestKinds() {
			supplied := map[string]bool{}
			hasAssets := false
			for _, f := range k.Fields {
				hasAssets = hasAssets || f.Type == policy.FieldAssetList
				if f.Fact == "" {
					continue
				}
				decl, ok := pol.Fact(f.Fact)
				if !ok {
					report("%s %s: field %s feeds undeclared fact %s", name, k.ID, f.ID, f.Fact)
					continue
				}
				if !slices.Contains(compatible[decl.Type], f.Type) {
					report("%s %s: field %s (%s) cannot feed fact %s (%s)", name, k.ID, f.ID, f.Type, f.Fact, decl.Type)
				}
				supplied[f.Fact] = true
			}
			for _, fact := range pol.ActionFacts(k.Action) {
				decl, _ := pol.Fact(fact)
				if supplied[fact] || decl == nil || decl.Default != nil || (decl.Type == policy.FactLevel && hasAssets) {
					continue
				}
				report("%s %s: action %s reads fact %s, which no field supplies and which has no default", name, k.ID, k.Action, fact)
			}
		}
	}
}
