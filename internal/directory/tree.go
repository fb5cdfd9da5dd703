package directory

// TreeNode is a unit placed in its tree, for lists that indent.
type TreeNode struct {
	Unit
	Depth    int
	Children int
}

// Tree arranges units depth-first, each root followed by its descendants,
// siblings in the order given (the store sorts them by sort key and
// code). Units whose parent is missing are shown as roots rather than
// lost.
func Tree(units []Unit) []TreeNode {
	byID := map[int64]bool{}
	for _, u := range units {
		byID[u.ID] = true
	}
	children := map[int64][]Unit{}
	var roots []Unit
	for _, u := range units {
		if u.ParentID == 0 || !byID[u.ParentID] {
			roots = append(roots, u)
		} else {
			children[u.ParentID] = append(children[u.ParentID], u)
		}
	}
	out := make([]TreeNode, 0, len(units))
	seen := map[int64]bool{}
	var walk func(u Unit, depth int)
	walk = func(u Unit, depth int) {
		if seen[u.ID] {
			return
		}
		seen[u.ID] = true
		out = append(out, TreeNode{Unit: u, Depth: depth, Children: len(children[u.ID])})
		for _, c := range children[u.ID] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return out
}
