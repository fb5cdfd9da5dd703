package policy

import "fmt"

// HasLevel reports whether id is a level of the axis.
func (ax *Axis) HasLevel(id string) bool {
	_, ok := ax.rank[id]
	return ok
}

// Level returns the level with the given id.
func (ax *Axis) Level(id string) (*Level, bool) {
	l, ok := ax.level[id]
	return l, ok
}

// Stricter returns whichever of a and b is the stricter level on the axis.
func (ax *Axis) Stricter(a, b string) (string, error) {
	ra, ok := ax.rank[a]
	if !ok {
		return "", fmt.Errorf("axis %s: unknown level %q", ax.ID, a)
	}
	rb, ok := ax.rank[b]
	if !ok {
		return "", fmt.Errorf("axis %s: unknown level %q", ax.ID, b)
	}
	if rb < ra {
		return b, nil
	}
	return a, nil
}

// Strictest returns the strictest of the levels: a medium holding
// information of several levels is handled at the strictest (藤枝市
// 第2章5(2)④ウ, 下條村 第2章4(2)4-3).
func (ax *Axis) Strictest(levels ...string) (string, error) {
	if len(levels) == 0 {
		return "", fmt.Errorf("axis %s: no level given", ax.ID)
	}
	best := levels[0]
	if !ax.HasLevel(best) {
		return "", fmt.Errorf("axis %s: unknown level %q", ax.ID, best)
	}
	for _, l := range levels[1:] {
		s, err := ax.Stricter(best, l)
		if err != nil {
			return "", err
		}
		best = s
	}
	return best, nil
}

// AtLeastAsStrict reports whether level a is as strict as b or stricter.
func (ax *Axis) AtLeastAsStrict(a, b string) (bool, error) {
	s, err := ax.Stricter(a, b)
	if err != nil {
		return false, err
	}
	return s == a, nil
}

// Restrictions returns the handling restrictions of a level, including
// those of the levels it includes, in order and without duplicates.
func (ax *Axis) Restrictions(level string) ([]*Restriction, error) {
	l, ok := ax.level[level]
	if !ok {
		return nil, fmt.Errorf("axis %s: unknown level %q", ax.ID, level)
	}
	var out []*Restriction
	seen := map[string]bool{}
	var walk func(l *Level)
	walk = func(l *Level) {
		if seen["level:"+l.ID] {
			return
		}
		seen["level:"+l.ID] = true
		for _, inc := range l.Includes {
			if il, ok := ax.level[inc]; ok {
				walk(il)
			}
		}
		out = append(out, l.Restrictions...)
	}
	walk(l)
	return out, nil
}

// Stricter returns the stricter of two levels on the named axis.
func (p *Policy) Stricter(axis, a, b string) (string, error) {
	ax, ok := p.axes[axis]
	if !ok {
		return "", fmt.Errorf("policy %s: unknown axis %q", p.ID(), axis)
	}
	return ax.Stricter(a, b)
}

// Strictest returns the strictest of the levels on the named axis.
func (p *Policy) Strictest(axis string, levels ...string) (string, error) {
	ax, ok := p.axes[axis]
	if !ok {
		return "", fmt.Errorf("policy %s: unknown axis %q", p.ID(), axis)
	}
	return ax.Strictest(levels...)
}

// Restrictions returns the handling restrictions of a level on an axis.
func (p *Policy) Restrictions(axis, level string) ([]*Restriction, error) {
	ax, ok := p.axes[axis]
	if !ok {
		return nil, fmt.Errorf("policy %s: unknown axis %q", p.ID(), axis)
	}
	return ax.Restrictions(level)
}
