package main

func proxy(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	// ruleid: go-ssrf
	resp, _ := http.Get(target)
	// ruleid: go-ssrf
	req, _ := http.NewRequest("GET", r.FormValue("u"), nil)
	// ok: go-ssrf
	http.Get("https://api.example.com/status")
	// ok: go-ssrf
	http.Get("https://api.example.com/items/" + url.PathEscape(target))
	_, _ = resp, req
}
