module example.com/leaderboard

go 1.21

require github.com/gomodule/redigo v1.9.3
