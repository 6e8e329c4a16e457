module example.com/redisapp

go 1.17

require github.com/go-redis/redis/v7 v7.4.1
