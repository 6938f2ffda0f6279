package main

func main() {
	// ruleid: go-http-server-no-timeouts
	http.ListenAndServe(":8080", nil)
	srv := &http.Server{Addr: ":8080", ReadHeaderTimeout: 5 * time.Second}
	// ok: go-http-server-no-timeouts
	srv.ListenAndServe()
}
