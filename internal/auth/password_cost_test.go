package auth

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestInitIsCheap: starting a program that links auth (every mamori
// command) must not compute a password hash. The dummy hash of
// CheckNothing used to be made at package initialisation: 64 MiB and
// 200–500 ms for every `mamori version` or `mamori log verify`. The test
// runs its own binary with GODEBUG=inittrace=1, which reports each
// package's initialisation cost, and reads auth's line.
func TestInitIsCheap(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run the test binary: %v\n%s", err, out)
	}
	line := regexp.MustCompile(`init mamori/internal/auth @[^,]+, [^,]+ clock, (\d+) bytes`).FindSubmatch(out)
	if line == nil {
		t.Fatalf("no inittrace line for mamori/internal/auth in:\n%s", out)
	}
	bytes, _ := strconv.Atoi(string(line[1]))
	if bytes > 1<<20 {
		t.Errorf("initialising auth allocates %d bytes; want < 1 MiB (no password hashing at start)", bytes)
	}
}

// TestDummyHashMatchesParameters: CheckNothing must cost what a real check
// costs, so its hash carries the current parameters.
func TestDummyHashMatchesParameters(t *testing.T) {
	want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", argonMemory, argonTime, argonThreads)
	if h := dummyHash(); !strings.HasPrefix(h, want) {
		t.Errorf("dummy hash %q does not start with %q", h, want)
	}
	if ok, err := CheckPassword(dummyHash(), "mamori-dummy-password"); !ok || err != nil {
		t.Errorf("the dummy hash does not check: %v %v", ok, err)
	}
}

// TestHashingIsBounded: no more argon2id computations run at once than
// there are slots (each holds 64 MiB); a sign-in beyond them waits for one
// to finish.
func TestHashingIsBounded(t *testing.T) {
	start := time.Now()
	h, err := HashPassword("正しいパスワード")
	if err != nil {
		t.Fatal(err)
	}
	once := time.Since(start) // what one computation takes here
	// Take every slot, as that many sign-ins under way would.
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
	}
	done := make(chan bool)
	go func() {
		ok, _ := CheckPassword(h, "正しいパスワード")
		done <- ok
	}()
	select {
	case <-done:
		t.Fatal("a password check ran while every hashing slot was taken")
	case <-time.After(3*once + 500*time.Millisecond):
	}
	<-hashSlots // one of them finishes
	select {
	case ok := <-done:
		if !ok {
			t.Error("the password did not check")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the password check did not run once a slot was free")
	}
	for range cap(hashSlots) - 1 {
		<-hashSlots
	}
}
