package main

func enc(key []byte) {
	// ruleid: go-weak-cipher
	b, _ := des.NewCipher(key)
	// ruleid: go-weak-cipher
	c, _ := rc4.NewCipher(key)
	// ok: go-weak-cipher
	d, _ := aes.NewCipher(key)
	_, _, _ = b, c, d
}
