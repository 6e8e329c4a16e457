package leaderboard

import (
	"context"

	"github.com/gomodule/redigo/redis"
)

// Announce publishes an event to the board's followers.
func (s *Service) Announce(ctx context.Context, event string) error {
	c := s.pool.Get()
	defer c.Close()
	_, err := c.Do("PUBLISH", s.key("events"), event)
	return err
}

// Follow calls handle with each event announced until handle returns
// false; subscribed is called once the subscription is in place.
func (s *Service) Follow(ctx context.Context, subscribed func(), handle func(event string) bool) error {
	psc := redis.PubSubConn{Conn: s.pool.Get()}
	defer psc.Close()
	if err := psc.Subscribe(s.key("events")); err != nil {
		return err
	}
	for {
		switch v := psc.Receive().(type) {
		case redis.Subscription:
			if v.Kind == "subscribe" && subscribed != nil {
				subscribed()
			}
		case redis.Message:
			if !handle(string(v.Data)) {
				return nil
			}
		case error:
			return v
		}
	}
}
