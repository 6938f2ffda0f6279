package main

func write(p string, d []byte) {
	// ruleid: go-file-permissions
	os.WriteFile(p, d, 0777)
	// ruleid: go-file-permissions
	os.MkdirAll(p, 0o777)
	// ok: go-file-permissions
	os.WriteFile(p, d, 0600)
}
