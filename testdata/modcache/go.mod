// Module modcache is never built: it requires every third-party module that
// the golden cases (testdata/rewrite/redis_*.txtar, jwt_*.txtar, pkgerrors_*.txtar, redigo_*.txtar) and the end-to-end tests
// (internal/redise2e, testdata/redisapp, testdata/redigoapp, testdata/script/companions.txtar)
// use, so that .ci/run fetches them
// with "go mod download all" and the tests can run with GOPROXY=off.
module github.com/migrate-tool/migrate/testdata/modcache

go 1.21

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dgrijalva/jwt-go v3.2.0+incompatible // indirect
	github.com/dgrijalva/jwt-go/v4 v4.0.0-preview1 // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
	github.com/garyburd/redigo v1.6.4 // indirect
	github.com/go-redis/redis v6.15.9+incompatible // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/go-redis/redis/v7 v7.4.1 // indirect
	github.com/go-redis/redis/v8 v8.11.5 // indirect
	github.com/go-redis/redismock/v8 v8.11.5 // indirect
	github.com/go-redis/redismock/v9 v9.2.0 // indirect
	github.com/gofrs/uuid/v5 v5.4.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/golang/protobuf v1.5.4 // indirect
	github.com/gomodule/redigo v1.9.3 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/redis/go-redis/v9 v9.17.3 // indirect
	github.com/satori/go.uuid v1.2.0 // indirect
	google.golang.org/protobuf v1.33.0 // indirect
	gopkg.in/dgrijalva/jwt-go.v3 v3.2.0 // indirect
)
