package main

func sums(data []byte) {
	// ruleid: go-weak-hash
	h := md5.New()
	// ruleid: go-weak-hash
	s := sha1.Sum(data)
	// ok: go-weak-hash
	t := sha256.Sum256(data)
	_, _, _ = h, s, t
}
