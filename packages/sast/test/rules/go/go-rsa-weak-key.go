package main

func keys() {
	// ruleid: go-rsa-weak-key
	k, _ := rsa.GenerateKey(rand.Reader, 1024)
	// ok: go-rsa-weak-key
	k2, _ := rsa.GenerateKey(rand.Reader, 3072)
	_, _ = k, k2
}
