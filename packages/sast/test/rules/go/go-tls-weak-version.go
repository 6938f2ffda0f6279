package main

func cfg() {
	// ruleid: go-tls-weak-version
	a := &tls.Config{MinVersion: tls.VersionTLS10}
	// ok: go-tls-weak-version
	b := &tls.Config{MinVersion: tls.VersionTLS12}
	_, _ = a, b
}
