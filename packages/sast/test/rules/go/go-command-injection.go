package main

func handler(w http.ResponseWriter, r *http.Request) {
	dir := r.URL.Query().Get("dir")
	// ruleid: go-command-injection
	out, _ := exec.Command("ls", dir).Output()
	// ruleid: go-command-injection
	exec.CommandContext(ctx, r.FormValue("tool")).Run()
	// ok: go-command-injection
	exec.Command("ls", "-la").Run()
	w.Write(out)
}
