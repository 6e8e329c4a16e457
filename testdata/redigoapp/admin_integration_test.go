//go:build integration

package leaderboard

import (
	"context"
	"reflect"
	"testing"
)

func TestSeed(t *testing.T) {
	s, ctx := newService(t), context.Background()
	if err := s.Seed(ctx, map[string]float64{"ann": 1, "bob": 3, "cid": 2}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Top(ctx, 3); err != nil || !reflect.DeepEqual(got, []string{"bob", "cid", "ann"}) {
		t.Errorf("Top(3) after Seed = %v, %v", got, err)
	}
	if n := s.Active(); n < 1 {
		t.Errorf("Active() = %d after Seed; want the idle conn Seed used", n)
	}
}
