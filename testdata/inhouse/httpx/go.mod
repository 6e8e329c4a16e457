module example.com/company/httpx

go 1.21
