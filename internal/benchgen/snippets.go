package main

// snippet is a piece of generated code with the imports it uses, and its
// test. In code and test, $N is replaced by a number unique in the
// package, $P by the package name, $Q by the qualifier of the package in
// its test file ("" or "name.") and ´ by a backquote.
type snippet struct {
	code        string
	imports     []string
	test        string
	testImports []string
}

// coreSnippet is the API every package has, and that packages importing
// it use.
var coreSnippet = snippet{
	imports: []string{"cmp", "fmt", "sort", "strings", "sync", "time"},
	code: `// Record is one entry kept by a Store.
type Record struct {
	ID      int       ´json:"id"´
	Name    string    ´json:"name"´
	Tags    []string  ´json:"tags,omitempty"´
	Score   float64   ´json:"score"´
	Created time.Time ´json:"created"´
}

// Key returns a stable key for the record.
func (r Record) Key() string {
	return fmt.Sprintf("%s/%d", strings.ToLower(r.Name), r.ID)
}

// HasTag reports whether the record carries tag.
func (r Record) HasTag(tag string) bool {
	for _, t := range r.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Store is a set of records indexed by ID, safe for concurrent use.
type Store struct {
	mu    sync.RWMutex
	items map[int]Record
	order []int
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{items: make(map[int]Record)}
}

// Put adds r, or replaces the record with the same ID.
func (s *Store) Put(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[r.ID]; !ok {
		s.order = append(s.order, r.ID)
	}
	s.items[r.ID] = r
}

// Get returns the record with the ID.
func (s *Store) Get(id int) (Record, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.items[id]
	return r, ok
}

// Len returns the number of records.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

// All returns the records in the order they were first put.
func (s *Store) All() []Record {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Record, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.items[id])
	}
	return out
}

// Filter returns the records for which pred is true, in order.
func (s *Store) Filter(pred func(Record) bool) []Record {
	var out []Record
	for _, r := range s.All() {
		if pred(r) {
			out = append(out, r)
		}
	}
	return out
}

// Sorted returns the records sorted by less, stably.
func (s *Store) Sorted(less func(a, b Record) bool) []Record {
	all := s.All()
	sort.SliceStable(all, func(i, j int) bool { return less(all[i], all[j]) })
	return all
}

// Summary describes the scores of a set of records.
type Summary struct {
	Count             int
	Total, Mean, Max  float64
	Names             []string
}

// String formats the summary on one line.
func (s Summary) String() string {
	return fmt.Sprintf("count=%d total=%.2f mean=%.2f max=%.2f names=%s",
		s.Count, s.Total, s.Mean, s.Max, strings.Join(s.Names, ","))
}

// Summarize computes the summary of rs.
func Summarize(rs []Record) Summary {
	var s Summary
	for i, r := range rs {
		s.Count++
		s.Total += r.Score
		if i == 0 || r.Score > s.Max {
			s.Max = r.Score
		}
		if r.Name != "" {
			s.Names = append(s.Names, r.Name)
		}
	}
	if s.Count > 0 {
		s.Mean = s.Total / float64(s.Count)
	}
	sort.Strings(s.Names)
	return s
}

// Checksum returns the 32-bit FNV-1a hash of s.
func Checksum(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// Set is a set of comparable values.
type Set[K comparable] map[K]struct{}

// NewSet returns the set of items.
func NewSet[K comparable](items ...K) Set[K] {
	s := make(Set[K], len(items))
	for _, it := range items {
		s.Add(it)
	}
	return s
}

// Add puts k in the set.
func (s Set[K]) Add(k K) { s[k] = struct{}{} }

// Has reports whether k is in the set.
func (s Set[K]) Has(k K) bool {
	_, ok := s[k]
	return ok
}

// SortedKeys returns the elements of s in increasing order.
func SortedKeys[K cmp.Ordered](s Set[K]) []K {
	keys := make([]K, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return cmp.Less(keys[i], keys[j]) })
	return keys
}

// Map returns f applied to each element of xs.
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// Reduce folds xs into init with f, left to right.
func Reduce[T, A any](xs []T, init A, f func(A, T) A) A {
	acc := init
	for _, x := range xs {
		acc = f(acc, x)
	}
	return acc
}

// GroupBy groups xs by key, keeping their order within each group.
func GroupBy[T any, K comparable](xs []T, key func(T) K) map[K][]T {
	out := make(map[K][]T)
	for _, x := range xs {
		k := key(x)
		out[k] = append(out[k], x)
	}
	return out
}

// Pair is a key and a value.
type Pair[K comparable, V any] struct {
	Key K
	Val V
}
`,
	testImports: []string{"fmt"},
	test: `func TestStore(t *testing.T) {
	s := $QNewStore()
	s.Put($QRecord{ID: 2, Name: "b", Score: 3})
	s.Put($QRecord{ID: 1, Name: "a", Score: 1, Tags: []string{"x"}})
	s.Put($QRecord{ID: 2, Name: "b2", Score: 5})
	if s.Len() != 2 {
		t.Fatalf("Len = %d, want 2", s.Len())
	}
	if r, ok := s.Get(2); !ok || r.Name != "b2" {
		t.Errorf("Get(2) = %v, %v", r, ok)
	}
	sorted := s.Sorted(func(a, b $QRecord) bool { return a.ID < b.ID })
	if sorted[0].ID != 1 || !sorted[0].HasTag("x") {
		t.Errorf("Sorted = %v", sorted)
	}
	sum := $QSummarize(s.All())
	if sum.Count != 2 || sum.Max != 5 || sum.Mean != 3 {
		t.Errorf("Summarize = %v", sum)
	}
	if k := sorted[1].Key(); k != "b2/2" {
		t.Errorf("Key = %q", k)
	}
}

func TestChecksum(t *testing.T) {
	seen := map[uint32]string{}
	for i := 0; i < 100; i++ {
		s := fmt.Sprintf("key-%d", i)
		h := $QChecksum(s)
		if prev, ok := seen[h]; ok {
			t.Fatalf("Checksum(%q) == Checksum(%q)", s, prev)
		}
		seen[h] = s
		if $QChecksum(s) != h {
			t.Fatalf("Checksum(%q) is not stable", s)
		}
	}
}

func TestGenerics(t *testing.T) {
	xs := []int{3, 1, 2}
	if sq := $QMap(xs, func(x int) int { return x * x }); sq[0] != 9 || sq[2] != 4 {
		t.Errorf("Map = %v", sq)
	}
	if sum := $QReduce(xs, 0, func(a, x int) int { return a + x }); sum != 6 {
		t.Errorf("Reduce = %d", sum)
	}
	set := $QNewSet("b", "a", "b")
	if keys := $QSortedKeys(set); len(keys) != 2 || keys[0] != "a" || !set.Has("b") {
		t.Errorf("SortedKeys = %v", keys)
	}
	groups := $QGroupBy(xs, func(x int) bool { return x%2 == 0 })
	if len(groups[true]) != 1 || len(groups[false]) != 2 {
		t.Errorf("GroupBy = %v", groups)
	}
	p := $QPair[string, int]{Key: "k", Val: 1}
	if p.Key != "k" {
		t.Errorf("Pair = %v", p)
	}
}
`,
}

// fileOpsSnippet uses io/ioutil's file functions; ReadDir's result is
// used only through Name() and IsDir(), so every call is rewritable.
var fileOpsSnippet = snippet{
	imports: []string{"encoding/json", "fmt", "io/ioutil", "os", "path/filepath", "sort"},
	code: `// LoadRecords$N reads a JSON array of records from path.
func LoadRecords$N(path string) ([]Record, error) {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load records: %w", err)
	}
	var recs []Record
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("load records from %s: %w", path, err)
	}
	return recs, nil
}

// SaveRecords$N writes recs to path as an indented JSON array.
func SaveRecords$N(path string, recs []Record) error {
	data, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return err
	}
	return ioutil.WriteFile(path, data, 0o644)
}

// ListNames$N returns the sorted names of the entries of dir, with a
// slash after the names of directories.
func ListNames$N(dir string) ([]string, error) {
	infos, err := ioutil.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(infos))
	for _, fi := range infos {
		name := fi.Name()
		if fi.IsDir() {
			name += "/"
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// Snapshot$N saves the records of s in a new temporary directory and
// returns the path of the file.
func Snapshot$N(s *Store) (string, error) {
	dir, err := ioutil.TempDir("", "$P-snapshot-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "records.json")
	if err := SaveRecords$N(path, s.All()); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return path, nil
}
`,
	testImports: []string{"os", "path/filepath", "strings"},
	test: `func TestSaveLoad$N(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "recs.json")
	want := []$QRecord{{ID: 1, Name: "a"}, {ID: 2, Name: "b", Tags: []string{"x"}}}
	if err := $QSaveRecords$N(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := $QLoadRecords$N(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || got[1].Name != "b" {
		t.Errorf("LoadRecords$N = %v, want %v", got, want)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	names, err := $QListNames$N(dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "recs.json,sub/" {
		t.Errorf("ListNames$N = %v", names)
	}
}
`,
}

// fileOpsTestIoutil is the test of fileOpsSnippet in the packages whose
// test file uses io/ioutil too.
const fileOpsTestIoutil = `func TestSaveLoad$N(t *testing.T) {
	dir, err := ioutil.TempDir("", "$P-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "recs.json")
	want := []$QRecord{{ID: 1, Name: "a"}, {ID: 2, Name: "b", Tags: []string{"x"}}}
	if err := $QSaveRecords$N(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := $QLoadRecords$N(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || got[1].Name != "b" {
		t.Errorf("LoadRecords$N = %v, want %v", got, want)
	}
	if err := ioutil.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	names, err := $QListNames$N(dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "extra.txt,recs.json" {
		t.Errorf("ListNames$N = %v", names)
	}
}
`

var fileOpsTestIoutilImports = []string{"io/ioutil", "os", "path/filepath", "strings"}

// streamSnippet uses io/ioutil's ReadAll and Discard.
var streamSnippet = snippet{
	imports: []string{"fmt", "io", "io/ioutil", "net/http"},
	code: `// Digest$N reads r to the end and returns the checksum and the size of
// what it read.
func Digest$N(r io.Reader) (uint32, int, error) {
	data, err := ioutil.ReadAll(r)
	if err != nil {
		return 0, 0, err
	}
	return Checksum(string(data)), len(data), nil
}

// Skip$N discards up to n bytes of r and returns how many it skipped.
func Skip$N(r io.Reader, n int64) (int64, error) {
	return io.CopyN(ioutil.Discard, r, n)
}

// Body$N reads at most limit bytes of the body of resp and closes it.
func Body$N(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(ioutil.Discard, resp.Body)
		return nil, fmt.Errorf("unexpected status %s", resp.Status)
	}
	return ioutil.ReadAll(io.LimitReader(resp.Body, limit))
}
`,
	testImports: []string{"strings"},
	test: `func TestDigest$N(t *testing.T) {
	sum, n, err := $QDigest$N(strings.NewReader("hello"))
	if err != nil || n != 5 || sum != $QChecksum("hello") {
		t.Errorf("Digest$N = %d, %d, %v", sum, n, err)
	}
	skipped, err := $QSkip$N(strings.NewReader("abc"), 10)
	if skipped != 3 || err == nil {
		t.Errorf("Skip$N = %d, %v; want 3, EOF", skipped, err)
	}
}
`,
}

// fillers are the bulk of the packages, used in turn.
var fillers = []snippet{
	{ // text processing
		imports: []string{"sort", "strings", "unicode"},
		code: `// Tokenize$N splits text into lower-case words of at least minLen
// letters or digits; apostrophes and hyphens inside words are kept.
func Tokenize$N(text string, minLen int) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		w := strings.TrimRight(b.String(), "'-")
		if len(w) > 0 && len(w) >= minLen {
			words = append(words, w)
		}
		b.Reset()
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '-':
			if b.Len() > 0 {
				b.WriteRune(r)
			}
		default:
			flush()
		}
	}
	flush()
	return words
}

// WordFreq$N returns the n most frequent words of text, most frequent
// first, ties in alphabetical order; all of them when n < 0.
func WordFreq$N(text string, n int) []Pair[string, int] {
	counts := make(map[string]int)
	for _, w := range Tokenize$N(text, 2) {
		counts[w]++
	}
	pairs := make([]Pair[string, int], 0, len(counts))
	for w, c := range counts {
		pairs = append(pairs, Pair[string, int]{Key: w, Val: c})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].Val != pairs[j].Val {
			return pairs[i].Val > pairs[j].Val
		}
		return pairs[i].Key < pairs[j].Key
	})
	if n >= 0 && len(pairs) > n {
		pairs = pairs[:n]
	}
	return pairs
}

// Initials$N returns the upper-case initials of the words of name.
func Initials$N(name string) string {
	var b strings.Builder
	for _, f := range strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' }) {
		for _, r := range f {
			b.WriteRune(unicode.ToUpper(r))
			break
		}
	}
	return b.String()
}
`,
		testImports: []string{"strings"},
		test: `func TestWordFreq$N(t *testing.T) {
	got := $QWordFreq$N("the cat and the hat and the bat", 2)
	if len(got) != 2 || got[0].Key != "the" || got[0].Val != 3 || got[1].Key != "and" {
		t.Fatalf("WordFreq$N = %v", got)
	}
	if w := $QTokenize$N("Hello, World! it's", 1); strings.Join(w, " ") != "hello world it's" {
		t.Errorf("Tokenize$N = %q", w)
	}
	if s := $QInitials$N("ada king-lovelace"); s != "AKL" {
		t.Errorf("Initials$N = %q", s)
	}
}
`,
	},
	{ // configuration documents
		imports: []string{"encoding/json", "errors", "fmt", "strings"},
		code: `// Config$N is a settings document.
type Config$N struct {
	Name    string            ´json:"name"´
	Port    int               ´json:"port"´
	Labels  map[string]string ´json:"labels,omitempty"´
	Enabled bool              ´json:"enabled"´
	Limits  []int             ´json:"limits,omitempty"´
}

// Validate reports every problem of the configuration at once.
func (c *Config$N) Validate() error {
	var problems []string
	if strings.TrimSpace(c.Name) == "" {
		problems = append(problems, "name is empty")
	}
	if c.Port <= 0 || c.Port > 65535 {
		problems = append(problems, fmt.Sprintf("port %d out of range", c.Port))
	}
	for i, l := range c.Limits {
		if l < 0 {
			problems = append(problems, fmt.Sprintf("limit %d is negative", i))
		}
	}
	for k := range c.Labels {
		if k == "" || strings.ContainsAny(k, " \t") {
			problems = append(problems, fmt.Sprintf("bad label key %q", k))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// ParseConfig$N decodes and validates a configuration.
func ParseConfig$N(data []byte) (*Config$N, error) {
	var c Config$N
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("invalid config %q: %w", c.Name, err)
	}
	return &c, nil
}

// Encode returns the configuration as indented JSON.
func (c *Config$N) Encode() ([]byte, error) {
	return json.MarshalIndent(c, "", "  ")
}

// Merge overrides c with the fields set in o.
func (c *Config$N) Merge(o *Config$N) {
	if o.Name != "" {
		c.Name = o.Name
	}
	if o.Port != 0 {
		c.Port = o.Port
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	for k, v := range o.Labels {
		c.Labels[k] = v
	}
	c.Enabled = c.Enabled || o.Enabled
	if len(o.Limits) > 0 {
		c.Limits = append([]int(nil), o.Limits...)
	}
}
`,
		test: `func TestParseConfig$N(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"ok", ´{"name":"api","port":8080,"limits":[1,2]}´, false},
		{"bad port", ´{"name":"api","port":0}´, true},
		{"no name", ´{"port":80}´, true},
		{"bad json", ´{´, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := $QParseConfig$N([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			c.Merge(&$QConfig$N{Port: 9090, Labels: map[string]string{"env": "test"}})
			data, err := c.Encode()
			if err != nil {
				t.Fatal(err)
			}
			back, err := $QParseConfig$N(data)
			if err != nil || back.Port != 9090 || back.Labels["env"] != "test" {
				t.Errorf("round trip = %v, %v", back, err)
			}
		})
	}
}
`,
	},
	{ // HTTP handler
		imports: []string{"encoding/json", "net/http", "strconv"},
		code: `// Handler$N serves the records of a Store as JSON.
type Handler$N struct {
	Store *Store
	Limit int
}

// ServeHTTP lists the records, filtered by the tag query parameter and cut
// at the limit one.
func (h *Handler$N) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	limit := h.Limit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			http.Error(w, "bad limit "+strconv.Quote(v), http.StatusBadRequest)
			return
		}
		limit = n
	}
	tag := q.Get("tag")
	recs := h.Store.Filter(func(rec Record) bool { return tag == "" || rec.HasTag(tag) })
	if limit > 0 && len(recs) > limit {
		recs = recs[:limit]
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(recs); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// NewMux$N routes /records to a Handler$N and /healthz to a probe.
func NewMux$N(s *Store, limit int) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/records", &Handler$N{Store: s, Limit: limit})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok " + strconv.Itoa(s.Len()) + "\n"))
	})
	return mux
}
`,
		testImports: []string{"encoding/json", "net/http", "net/http/httptest"},
		test: `func TestHandler$N(t *testing.T) {
	s := $QNewStore()
	for i := 0; i < 5; i++ {
		s.Put($QRecord{ID: i, Name: "r", Tags: []string{"even", "odd"}[i%2:i%2+1]})
	}
	mux := $QNewMux$N(s, 10)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/records?tag=even&limit=2", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got []$QRecord
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1].ID != 2 {
		t.Errorf("got %v", got)
	}
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/records?limit=x", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("bad limit: status %d", rec.Code)
	}
}
`,
	},
	{ // statistics
		imports: []string{"math", "sort"},
		code: `// Percentile$N returns the p-th percentile (0 to 100) of xs, linearly
// interpolated between the closest ranks; NaN for an empty slice.
func Percentile$N(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	switch {
	case p <= 0:
		return s[0]
	case p >= 100:
		return s[len(s)-1]
	}
	rank := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(rank))
	hi := int(math.Ceil(rank))
	if lo == hi {
		return s[lo]
	}
	frac := rank - float64(lo)
	return s[lo]*(1-frac) + s[hi]*frac
}

// Spread$N returns the mean and the standard deviation of the scores of rs.
func Spread$N(rs []Record) (mean, stddev float64) {
	if len(rs) == 0 {
		return 0, 0
	}
	for _, r := range rs {
		mean += r.Score
	}
	mean /= float64(len(rs))
	var sq float64
	for _, r := range rs {
		d := r.Score - mean
		sq += d * d
	}
	return mean, math.Sqrt(sq / float64(len(rs)))
}

// Histogram$N counts the scores of rs in n buckets of equal width between
// the lowest and the highest score.
func Histogram$N(rs []Record, n int) []int {
	if n <= 0 || len(rs) == 0 {
		return nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rs {
		lo = math.Min(lo, r.Score)
		hi = math.Max(hi, r.Score)
	}
	buckets := make([]int, n)
	width := (hi - lo) / float64(n)
	for _, r := range rs {
		i := n - 1
		if width > 0 {
			i = int((r.Score - lo) / width)
		}
		if i >= n {
			i = n - 1
		}
		buckets[i]++
	}
	return buckets
}
`,
		test: `func TestPercentile$N(t *testing.T) {
	if got := $QPercentile$N([]float64{4, 1, 3, 2}, 50); got != 2.5 {
		t.Errorf("Percentile$N = %v, want 2.5", got)
	}
	mean, sd := $QSpread$N([]$QRecord{{Score: 2}, {Score: 4}})
	if mean != 3 || sd != 1 {
		t.Errorf("Spread$N = %v, %v", mean, sd)
	}
	h := $QHistogram$N([]$QRecord{{Score: 0}, {Score: 1}, {Score: 10}}, 2)
	if len(h) != 2 || h[0] != 2 || h[1] != 1 {
		t.Errorf("Histogram$N = %v", h)
	}
}
`,
	},
	{ // generic cache
		imports: []string{"sync"},
		code: `// Cache$N is a size-bounded cache that evicts the least used entry,
// the oldest among equals. It is safe for concurrent use.
type Cache$N[K comparable, V any] struct {
	mu           sync.Mutex
	capacity     int
	seq          int
	entries      map[K]*cacheEntry$N[V]
	hits, misses int
}

type cacheEntry$N[V any] struct {
	value V
	uses  int
	seq   int
}

// NewCache$N returns a cache of at most capacity entries.
func NewCache$N[K comparable, V any](capacity int) *Cache$N[K, V] {
	if capacity < 1 {
		capacity = 1
	}
	return &Cache$N[K, V]{capacity: capacity, entries: make(map[K]*cacheEntry$N[V])}
}

// Get returns the value of key.
func (c *Cache$N[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		c.misses++
		var zero V
		return zero, false
	}
	c.hits++
	e.uses++
	return e.value, true
}

// Put sets the value of key, evicting an entry if the cache is full.
func (c *Cache$N[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		e.value = value
		return
	}
	if len(c.entries) >= c.capacity {
		c.evictLocked()
	}
	c.seq++
	c.entries[key] = &cacheEntry$N[V]{value: value, seq: c.seq}
}

func (c *Cache$N[K, V]) evictLocked() {
	var victim K
	var best *cacheEntry$N[V]
	for k, e := range c.entries {
		if best == nil || e.uses < best.uses || e.uses == best.uses && e.seq < best.seq {
			victim, best = k, e
		}
	}
	if best != nil {
		delete(c.entries, victim)
	}
}

// Stats returns the hits, the misses and the size of the cache.
func (c *Cache$N[K, V]) Stats() (hits, misses, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, len(c.entries)
}
`,
		test: `func TestCache$N(t *testing.T) {
	c := $QNewCache$N[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %v, %v", v, ok)
	}
	c.Put("c", 3)
	if _, ok := c.Get("b"); ok {
		t.Error("b was not evicted")
	}
	hits, misses, size := c.Stats()
	if hits != 1 || misses != 1 || size != 2 {
		t.Errorf("Stats = %d, %d, %d", hits, misses, size)
	}
}
`,
	},
	{ // worker pool
		imports: []string{"context", "errors", "fmt", "sync"},
		code: `// ProcessAll$N runs fn on every input with the given number of workers
// and returns the results by input; the errors are joined.
func ProcessAll$N(ctx context.Context, inputs []string, workers int, fn func(context.Context, string) (int, error)) (map[string]int, error) {
	if workers < 1 {
		workers = 1
	}
	type result struct {
		in  string
		n   int
		err error
	}
	jobs := make(chan string)
	results := make(chan result)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range jobs {
				n, err := fn(ctx, in)
				select {
				case results <- result{in: in, n: n, err: err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, in := range inputs {
			select {
			case jobs <- in:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	out := make(map[string]int, len(inputs))
	var errs []error
	for r := range results {
		if r.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.in, r.err))
			continue
		}
		out[r.in] = r.n
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}
`,
		testImports: []string{"context", "errors"},
		test: `func TestProcessAll$N(t *testing.T) {
	errOdd := errors.New("odd")
	got, err := $QProcessAll$N(context.Background(), []string{"a", "bb", "ccc", "dddd"}, 3, func(_ context.Context, s string) (int, error) {
		if len(s) == 3 {
			return 0, errOdd
		}
		return len(s), nil
	})
	if !errors.Is(err, errOdd) {
		t.Errorf("err = %v, want %v", err, errOdd)
	}
	if len(got) != 3 || got["dddd"] != 4 {
		t.Errorf("got %v", got)
	}
}
`,
	},
	{ // line-oriented parser
		imports: []string{"bufio", "bytes", "fmt", "sort", "strconv", "strings"},
		code: `// Entry$N is one "key = value" line.
type Entry$N struct {
	Key   string
	Value int
	Line  int
}

// ParseEntries$N parses "key = value" lines, skipping blank lines and
// comments that start with #.
func ParseEntries$N(text string) ([]Entry$N, error) {
	sc := bufio.NewScanner(strings.NewReader(text))
	var out []Entry$N
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: missing '='", line)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, Entry$N{Key: strings.TrimSpace(k), Value: n, Line: line})
	}
	return out, sc.Err()
}

// Totals$N sums the values by key.
func Totals$N(es []Entry$N) map[string]int {
	m := make(map[string]int, len(es))
	for _, e := range es {
		m[e.Key] += e.Value
	}
	return m
}

// FormatTotals$N formats the totals as an aligned table sorted by key.
func FormatTotals$N(totals map[string]int) string {
	keys := make([]string, 0, len(totals))
	width := 0
	for k := range totals {
		keys = append(keys, k)
		width = max(width, len(k))
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, "%-*s %8d\n", width, k, totals[k])
	}
	return b.String()
}
`,
		test: `func TestParseEntries$N(t *testing.T) {
	es, err := $QParseEntries$N("# totals\na = 1\n\nb=2\na = 40\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3 || es[2].Line != 5 {
		t.Fatalf("ParseEntries$N = %v", es)
	}
	tot := $QTotals$N(es)
	if got, want := $QFormatTotals$N(tot), "a       41\nb        2\n"; got != want {
		t.Errorf("FormatTotals$N = %q, want %q", got, want)
	}
	if _, err := $QParseEntries$N("a = x"); err == nil {
		t.Error("no error for a bad value")
	}
}
`,
	},
	{ // error types
		imports: []string{"errors", "fmt", "strings"},
		code: `// ValidationError$N says which field of a record is wrong.
type ValidationError$N struct {
	Field  string
	Reason string
}

func (e *ValidationError$N) Error() string {
	return e.Field + ": " + e.Reason
}

// ErrNotFound$N is returned for a record that is not in the store.
var ErrNotFound$N = errors.New("$P: record not found")

// Validate$N checks a record and returns every problem.
func Validate$N(r Record) error {
	var errs []error
	if strings.TrimSpace(r.Name) == "" {
		errs = append(errs, &ValidationError$N{Field: "name", Reason: "empty"})
	}
	if r.Score < 0 {
		errs = append(errs, &ValidationError$N{Field: "score", Reason: fmt.Sprintf("negative (%g)", r.Score)})
	}
	for i, t := range r.Tags {
		if t == "" {
			errs = append(errs, &ValidationError$N{Field: fmt.Sprintf("tags[%d]", i), Reason: "empty"})
		}
	}
	return errors.Join(errs...)
}

// Lookup$N returns the valid record with the ID.
func Lookup$N(s *Store, id int) (Record, error) {
	r, ok := s.Get(id)
	if !ok {
		return Record{}, fmt.Errorf("record %d: %w", id, ErrNotFound$N)
	}
	if err := Validate$N(r); err != nil {
		return r, fmt.Errorf("record %d: %w", id, err)
	}
	return r, nil
}

// Classify$N names the kind of an error returned by Lookup$N.
func Classify$N(err error) string {
	var ve *ValidationError$N
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotFound$N):
		return "missing"
	case errors.As(err, &ve):
		return "invalid " + ve.Field
	}
	return "error"
}
`,
		test: `func TestLookup$N(t *testing.T) {
	s := $QNewStore()
	s.Put($QRecord{ID: 1, Name: "ok"})
	s.Put($QRecord{ID: 2, Score: -1})
	for _, tc := range []struct {
		id   int
		want string
	}{{1, "ok"}, {2, "invalid name"}, {3, "missing"}} {
		_, err := $QLookup$N(s, tc.id)
		if got := $QClassify$N(err); got != tc.want {
			t.Errorf("Lookup$N(%d): %v classified %q, want %q", tc.id, err, got, tc.want)
		}
	}
}
`,
	},
	{ // domain type with a state machine
		imports: []string{"fmt", "time"},
		code: `// OrderStatus$N is the state of an Order$N.
type OrderStatus$N int

// The states of an order.
const (
	OrderPending$N OrderStatus$N = iota
	OrderPaid$N
	OrderShipped$N
	OrderCancelled$N
)

func (s OrderStatus$N) String() string {
	switch s {
	case OrderPending$N:
		return "pending"
	case OrderPaid$N:
		return "paid"
	case OrderShipped$N:
		return "shipped"
	case OrderCancelled$N:
		return "cancelled"
	}
	return fmt.Sprintf("OrderStatus$N(%d)", int(s))
}

// OrderLine$N is a quantity of one article.
type OrderLine$N struct {
	SKU        string
	Qty        int
	PriceCents int64
}

// Order$N is a customer order.
type Order$N struct {
	ID        string
	Customer  string
	Lines     []OrderLine$N
	Status    OrderStatus$N
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AddLine adds qty of an article to a pending order.
func (o *Order$N) AddLine(sku string, qty int, priceCents int64) error {
	if o.Status != OrderPending$N {
		return fmt.Errorf("order %s is %v: cannot add lines", o.ID, o.Status)
	}
	if qty <= 0 || priceCents < 0 {
		return fmt.Errorf("order %s: bad line %s x%d", o.ID, sku, qty)
	}
	for i := range o.Lines {
		if o.Lines[i].SKU == sku {
			o.Lines[i].Qty += qty
			return nil
		}
	}
	o.Lines = append(o.Lines, OrderLine$N{SKU: sku, Qty: qty, PriceCents: priceCents})
	return nil
}

// Total returns the price of the order in cents.
func (o *Order$N) Total() int64 {
	var t int64
	for _, l := range o.Lines {
		t += int64(l.Qty) * l.PriceCents
	}
	return t
}

// Advance moves the order to its next state.
func (o *Order$N) Advance(now time.Time) error {
	switch o.Status {
	case OrderPending$N:
		if len(o.Lines) == 0 {
			return fmt.Errorf("order %s is empty", o.ID)
		}
		o.Status = OrderPaid$N
	case OrderPaid$N:
		o.Status = OrderShipped$N
	default:
		return fmt.Errorf("order %s is %v: nothing follows", o.ID, o.Status)
	}
	o.UpdatedAt = now
	return nil
}

// FormatCents$N formats an amount of cents as units and hundredths.
func FormatCents$N(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
`,
		testImports: []string{"time"},
		test: `func TestOrder$N(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	o := &$QOrder$N{ID: "o1", CreatedAt: now}
	if err := o.Advance(now); err == nil {
		t.Error("an empty order advanced")
	}
	if err := o.AddLine("x", 2, 150); err != nil {
		t.Fatal(err)
	}
	if err := o.AddLine("x", 1, 150); err != nil {
		t.Fatal(err)
	}
	if got := $QFormatCents$N(o.Total()); got != "4.50" {
		t.Errorf("Total = %s", got)
	}
	for _, want := range []$QOrderStatus$N{$QOrderPaid$N, $QOrderShipped$N} {
		if err := o.Advance(now.Add(time.Hour)); err != nil || o.Status != want {
			t.Fatalf("Advance: %v, status %v, want %v", err, o.Status, want)
		}
	}
	if err := o.AddLine("y", 1, 1); err == nil {
		t.Error("added a line to a shipped order")
	}
}
`,
	},
	{ // generic helpers
		imports: []string{"cmp"},
		code: `// Number$N is the constraint of the numbers SumBy$N adds.
type Number$N interface {
	~int | ~int32 | ~int64 | ~float32 | ~float64
}

// SumBy$N adds f(x) for every x of xs.
func SumBy$N[T any, N Number$N](xs []T, f func(T) N) N {
	var sum N
	for _, x := range xs {
		sum += f(x)
	}
	return sum
}

// Dedup$N returns xs without repeated elements, keeping the first of each.
func Dedup$N[T comparable](xs []T) []T {
	seen := make(map[T]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Chunk$N splits xs into slices of at most size elements.
func Chunk$N[T any](xs []T, size int) [][]T {
	if size < 1 {
		size = 1
	}
	var out [][]T
	for len(xs) > size {
		out = append(out, xs[:size:size])
		xs = xs[size:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

// MinMax$N returns the least and the greatest element of xs.
func MinMax$N[T cmp.Ordered](xs []T) (lo, hi T, ok bool) {
	if len(xs) == 0 {
		return lo, hi, false
	}
	lo, hi = xs[0], xs[0]
	for _, x := range xs[1:] {
		if cmp.Less(x, lo) {
			lo = x
		}
		if cmp.Less(hi, x) {
			hi = x
		}
	}
	return lo, hi, true
}

// Invert$N swaps the keys and the values of m; of keys with equal values,
// the greatest wins.
func Invert$N[K cmp.Ordered, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		if prev, ok := out[v]; !ok || cmp.Less(prev, k) {
			out[v] = k
		}
	}
	return out
}
`,
		test: `func TestGenerics$N(t *testing.T) {
	if got := $QSumBy$N([]string{"a", "bc"}, func(s string) float64 { return float64(len(s)) }); got != 3 {
		t.Errorf("SumBy$N = %v", got)
	}
	if got := $QDedup$N([]int{1, 2, 1, 3, 2}); len(got) != 3 || got[2] != 3 {
		t.Errorf("Dedup$N = %v", got)
	}
	if got := $QChunk$N([]int{1, 2, 3, 4, 5}, 2); len(got) != 3 || len(got[2]) != 1 {
		t.Errorf("Chunk$N = %v", got)
	}
	if lo, hi, ok := $QMinMax$N([]string{"m", "a", "z"}); !ok || lo != "a" || hi != "z" {
		t.Errorf("MinMax$N = %q, %q, %v", lo, hi, ok)
	}
	if inv := $QInvert$N(map[string]int{"a": 1, "b": 1, "c": 2}); inv[1] != "b" || inv[2] != "c" {
		t.Errorf("Invert$N = %v", inv)
	}
}
`,
	},
	{ // retries with back-off
		imports: []string{"context", "fmt", "time"},
		code: `// Retry$N calls fn until it succeeds, ctx is done or the attempts run
// out, sleeping between attempts with an exponential back-off capped at
// 30 times base.
func Retry$N(ctx context.Context, attempts int, base time.Duration, fn func(context.Context) error) error {
	if attempts < 1 {
		return fmt.Errorf("retry: %d attempts", attempts)
	}
	var err error
	delay := base
	for i := 0; i < attempts; i++ {
		if err = fn(ctx); err == nil {
			return nil
		}
		if i == attempts-1 {
			break
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("retry: %w (last error: %v)", ctx.Err(), err)
		case <-timer.C:
		}
		delay *= 2
		if limit := 30 * base; delay > limit {
			delay = limit
		}
	}
	return fmt.Errorf("retry: %d attempts: %w", attempts, err)
}

// Deadline$N returns how long is left before the deadline of ctx, or def
// when it has none.
func Deadline$N(ctx context.Context, now time.Time, def time.Duration) time.Duration {
	d, ok := ctx.Deadline()
	if !ok {
		return def
	}
	if left := d.Sub(now); left > 0 {
		return left.Round(time.Millisecond)
	}
	return 0
}
`,
		testImports: []string{"context", "errors", "time"},
		test: `func TestRetry$N(t *testing.T) {
	calls := 0
	err := $QRetry$N(context.Background(), 4, time.Microsecond, func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("Retry$N = %v after %d calls", err, calls)
	}
	if d := $QDeadline$N(context.Background(), time.Now(), time.Second); d != time.Second {
		t.Errorf("Deadline$N = %v", d)
	}
}
`,
	},
}
