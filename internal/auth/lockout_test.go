package auth

import (
	"testing"
	"time"
)

func TestLockoutFor(t *testing.T) {
	for _, test := range []struct {
		failed, threshold int
		want              time.Duration
	}{
		{1, 5, 0},
		{4, 5, 0},
		{5, 5, time.Minute},
		{6, 5, 2 * time.Minute},
		{8, 5, 8 * time.Minute},
		{11, 5, time.Hour},
		{50, 5, time.Hour},
		{3, 0, 0},
		{5, 0, time.Minute},
		{3, 3, time.Minute},
	} {
		if got := LockoutFor(test.failed, test.threshold); got != test.want {
			t.Errorf("LockoutFor(%d, %d) = %v, want %v", test.failed, test.threshold, got, test.want)
		}
	}
}
