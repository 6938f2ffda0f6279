package main

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go-xss-response-write
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
	// ruleid: go-xss-response-write
	w.Write([]byte("<p>" + r.FormValue("msg") + "</p>"))
	// ok: go-xss-response-write
	fmt.Fprintf(w, "<h1>Hello %s</h1>", html.EscapeString(name))
	// ok: go-xss-response-write
	fmt.Fprintf(w, "<h1>Hello</h1>")
}
