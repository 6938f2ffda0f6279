package main

func client() *http.Client {
	// ruleid: go-tls-insecure-skip-verify
	cfg := &tls.Config{InsecureSkipVerify: true}
	// ok: go-tls-insecure-skip-verify
	cfg2 := &tls.Config{InsecureSkipVerify: false, MinVersion: tls.VersionTLS12}
	_ = cfg2
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
}
