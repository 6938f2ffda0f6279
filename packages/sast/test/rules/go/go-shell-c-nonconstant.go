package main

func run(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-shell-c-nonconstant
	exec.Command("sh", "-c", "ping -c 1 "+r.FormValue("host")).Run()
	// ok: go-shell-c-nonconstant
	exec.Command("sh", "-c", "uptime").Run()
}

func runScript(script string) {
	// ruleid: go-shell-c-nonconstant
	exec.Command("bash", "-c", script).Run()
}
