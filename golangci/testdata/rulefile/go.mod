module example.com/rulefile

go 1.22
