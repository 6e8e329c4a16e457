// Package httpx is the company's standard HTTP client: every request
// carries the caller's context and has a timeout, so no call can hang.
package httpx

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Timeout bounds every request.
const Timeout = 10 * time.Second

var client = &http.Client{Timeout: Timeout}

// Get issues a GET to url.
func Get(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return client.Do(req)
}

// Head issues a HEAD to url.
func Head(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return nil, err
	}
	return client.Do(req)
}

// Post issues a POST to url.
func Post(ctx context.Context, url, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return client.Do(req)
}

// Do sends req with ctx and the company timeout.
func Do(ctx context.Context, req *http.Request) (*http.Response, error) {
	return client.Do(req.WithContext(ctx))
}
