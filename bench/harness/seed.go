package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/asset/assettest"
	"mamori/internal/auth"
	"mamori/internal/demo"
	"mamori/internal/directory"
	"mamori/internal/policy"
	"mamori/internal/setup"
	"mamori/internal/store"
)

// Slug is the code of the organization the harness fills.
const Slug = "bench"

// Person is someone the load acts as.
type Person struct {
	ID     int64
	Login  string
	Name   string
	UnitID int64
	Token  string // an API token, "" when none was made
}

// Town is the organization the harness filled and who acts in it.
type Town struct {
	Tenant   mamori.TenantID
	Password string // every account's password (the demo's)
	Units    []int64
	Codes    []string // the units' codes, as the generated register names them
	// Staff hold no role and work in Units; the first of them have tokens.
	Staff []Person
	// Approvers decide take-outs: the information security manager
	// (藤枝市 第2章4(1)⑤, security_manager) of each of Units.
	Approvers map[int64]Person
	// Admin holds every permission (the organization's administrator).
	Admin Person
	// Assets are classified paper assets of each unit, to take out.
	Assets map[int64][]int64
	People int // how many people the directory holds
}

// SeedOptions says how much to make.
type SeedOptions struct {
	People int // in all, the demo's included
	Tokens int // staff with an API token (and a session-ready password)
}

// Seed fills a fresh database: the organization under the 藤枝市 profile,
// the demo's units, role holders and sample records, then staff up to
// opts.People, each created through the store (one transaction and one
// event each, as the directory screens would), and API tokens.
func Seed(ctx context.Context, dbURL string, opts SeedOptions) (*Town, error) {
	st, _, err := setup.Open(ctx, setup.Location{DB: dbURL})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	nt, err := setup.CreateTenant(ctx, st, Slug, "ベンチ市", "fujieda")
	if err != nil {
		return nil, fmt.Errorf("create the organization: %w", err)
	}
	d, err := demo.Fill(ctx, st, nt.Tenant.ID)
	if err != nil {
		return nil, fmt.Errorf("fill the demo organization: %w", err)
	}
	tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: nt.Tenant.ID, ActorLabel: "mamori bench", RequestID: "bench"})
	t := &Town{Tenant: nt.Tenant.ID, Password: d.Password, Approvers: map[int64]Person{}, Assets: map[int64][]int64{}}

	// The units that own assets: every section with its own information
	// security manager.
	now := st.Now()
	held, err := st.Assignments(tctx, store.AssignmentFilter{Role: "security_manager", At: &now})
	if err != nil {
		return nil, err
	}
	units, err := st.Units(tctx)
	if err != nil {
		return nil, err
	}
	code := map[int64]string{}
	for _, u := range units {
		code[u.ID] = u.Code
	}
	for _, a := range held {
		if _, dup := t.Approvers[a.UnitID]; dup || a.UnitID == 0 {
			continue
		}
		p, err := st.Person(tctx, a.PersonID)
		if err != nil {
			return nil, err
		}
		t.Units = append(t.Units, a.UnitID)
		t.Codes = append(t.Codes, code[a.UnitID])
		t.Approvers[a.UnitID] = Person{ID: p.ID, Login: p.StaffNo, Name: p.Name, UnitID: a.UnitID}
	}
	if len(t.Units) == 0 {
		return nil, fmt.Errorf("the demo organization has no information security manager")
	}
	// In the order of their codes, so that every database gets the same
	// register (its rows name the units in turn).
	order := make([]int, len(t.Units))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return t.Codes[order[i]] < t.Codes[order[j]] })
	ids, codes := make([]int64, len(order)), make([]string, len(order))
	for i, k := range order {
		ids[i], codes[i] = t.Units[k], t.Codes[k]
	}
	t.Units, t.Codes = ids, codes

	// Staff up to opts.People.
	_, n, err := st.People(tctx, store.PeopleFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	for i := 0; n < opts.People; i++ {
		no := strconv.Itoa(20001 + i)
		p := &directory.Person{StaffNo: no, Name: staffName(i), Kind: directory.KindStaff, UnitID: t.Units[i%len(t.Units)],
			Email: no + "@bench.example.lg.jp"}
		if err := st.CreatePersonWith(tctx, p, nil, no, d.PasswordHash); err != nil {
			return nil, fmt.Errorf("person %s: %w", no, err)
		}
		if err := st.ChangePassword(tctx, p.ID, d.PasswordHash); err != nil { // not a temporary password
			return nil, err
		}
		t.Staff = append(t.Staff, Person{ID: p.ID, Login: no, Name: p.Name, UnitID: p.UnitID})
		n++
	}
	t.People = n

	// Tokens: every permission the person holds (a token never acts beyond
	// its person's roles).
	var perms []string
	for _, p := range policy.Permissions {
		perms = append(perms, string(p))
	}
	token := func(p *Person) error {
		tok, hash, err := auth.NewToken()
		if err != nil {
			return err
		}
		if err := st.CreateAPIToken(tctx, &store.APIToken{PersonID: p.ID, Name: "mamori bench", TokenHash: hash, Permissions: perms,
			ExpiresAt: now.Add(30 * 24 * time.Hour)}); err != nil {
			return fmt.Errorf("token for %s: %w", p.Login, err)
		}
		p.Token = tok
		return nil
	}
	for i := range t.Staff[:min(opts.Tokens, len(t.Staff))] {
		if err := token(&t.Staff[i]); err != nil {
			return nil, err
		}
	}
	for u, p := range t.Approvers {
		if err := token(&p); err != nil {
			return nil, err
		}
		t.Approvers[u] = p
	}
	admins, _, err := st.People(tctx, store.PeopleFilter{Query: "admin", Limit: 10})
	if err != nil {
		return nil, err
	}
	for _, p := range admins {
		if p.IsAdmin {
			t.Admin = Person{ID: p.ID, Login: p.StaffNo, Name: p.Name}
		}
	}
	if t.Admin.ID == 0 {
		return nil, fmt.Errorf("the organization's administrator was not found")
	}
	if err := token(&t.Admin); err != nil {
		return nil, err
	}
	return t, nil
}

// LoadAssets finds, for each unit, classified paper assets to take out.
func (t *Town) LoadAssets(ctx context.Context, dbURL string, per int) error {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	tctx := mamori.WithScope(ctx, mamori.Scope{Tenant: t.Tenant, ActorLabel: "mamori bench", RequestID: "bench"})
	for _, u := range t.Units {
		as, _, err := st.Assets(tctx, asset.Filter{UnitID: u, Kind: asset.KindPaper, Limit: asset.MaxLimit})
		if err != nil {
			return fmt.Errorf("assets of unit %d: %w", u, err)
		}
		for _, a := range as {
			if !a.Unclassified && a.UnitID == u && len(t.Assets[u]) < per {
				t.Assets[u] = append(t.Assets[u], a.ID)
			}
		}
		if len(t.Assets[u]) == 0 {
			return fmt.Errorf("unit %d owns no classified paper asset to take out", u)
		}
	}
	return nil
}

// Register writes (once per size and units) a generated register of rows
// assets owned in turn by the town's units, as towns keep them: a title,
// a header, levels as numbers, ○ flags, Excel and 和暦 dates, servers
// holding the assets after them.
func (t *Town) Register(dir string, rows int) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("register-%d.xlsx", rows))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	f, err := os.Create(path + ".part")
	if err != nil {
		return "", err
	}
	spec := assettest.Spec{Rows: rows, Units: slices.Clone(t.Codes), HolderEvery: 100}
	if err := spec.WriteXLSX(f); err != nil {
		f.Close()
		return "", fmt.Errorf("write the register: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(path+".part", path)
}

var importedLine = regexp.MustCompile(`imported (\d+) assets`)

// Import is a finished `mamori asset import`.
type Import struct {
	Rows   int
	Wall   time.Duration
	MaxRSS int64
}

// RowsPerSecond is the import's rate over its whole run (reading,
// checking and storing, from the command's start to its end).
func (i Import) RowsPerSecond() float64 { return float64(i.Rows) / i.Wall.Seconds() }

// ImportRegister runs the real `mamori asset import` on the file and
// measures it.
func ImportRegister(ctx context.Context, bin, dbURL, file string) (Import, error) {
	r := Command(ctx, bin, "asset", "import", "--db", dbURL, "--tenant", Slug, file)
	if r.Err != nil {
		return Import{}, r.Err
	}
	m := importedLine.FindStringSubmatch(r.Stdout)
	if m == nil {
		return Import{}, fmt.Errorf("mamori asset import did not say what it imported:\n%s", r.Stdout)
	}
	n, _ := strconv.Atoi(m[1])
	return Import{Rows: n, Wall: r.Wall, MaxRSS: r.MaxRSS}, nil
}

// Verify is a finished `mamori log verify`.
type Verify struct {
	Events int64
	Rows   int64
	Wall   time.Duration
}

var verifyLine = regexp.MustCompile(`(?m)^ok +\S+: (\d+) events, (\d+) records`)

// VerifyLog runs the real `mamori log verify`; an error says the log is
// broken (or the command failed).
func VerifyLog(ctx context.Context, bin, dbURL string) (Verify, error) {
	r := Command(ctx, bin, "log", "verify", "--db", dbURL)
	if r.Err != nil {
		return Verify{}, r.Err
	}
	v := Verify{Wall: r.Wall}
	for _, m := range verifyLine.FindAllStringSubmatch(r.Stdout, -1) {
		e, _ := strconv.ParseInt(m[1], 10, 64)
		n, _ := strconv.ParseInt(m[2], 10, 64)
		v.Events += e
		v.Rows += n
	}
	if v.Events == 0 {
		return v, fmt.Errorf("mamori log verify reported no events:\n%s", r.Stdout)
	}
	return v, nil
}

// Fictitious staff names: common surnames and given names combined.
var (
	surnames   = []string{"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "松本", "井上", "木村", "林", "清水", "山崎", "森", "池田", "橋本", "阿部", "石川", "前田", "藤田", "岡田", "後藤", "長谷川", "村上", "近藤", "石井", "坂本", "遠藤", "青木", "藤井", "西村", "福田", "太田", "三浦", "杉山"}
	givenNames = []string{"健一", "恵子", "大輔", "由美", "誠", "美穂", "拓也", "直美", "浩二", "陽子", "翔太", "さくら", "修", "真由美", "隆", "千尋", "和也", "明美", "亮", "裕子", "達也", "智子", "正樹", "彩", "博之", "舞", "剛", "香織", "稔", "奈々", "悠斗", "久美子"}
)

func staffName(i int) string {
	return surnames[i%len(surnames)] + " " + givenNames[(i/len(surnames))%len(givenNames)]
}
