package main

func file(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go-path-traversal
	data, _ := os.ReadFile("/srv/files/" + name)
	// ruleid: go-path-traversal
	http.ServeFile(w, r, filepath.Join("/srv/files", name))
	// ok: go-path-traversal
	os.ReadFile(filepath.Join("/srv/files", filepath.Base(name)))
	// ok: go-path-traversal
	os.ReadFile("/srv/files/index.html")
	w.Write(data)
}

func upload(w http.ResponseWriter, r *http.Request) {
	file, header, _ := r.FormFile("upload")
	body, _ := io.ReadAll(file)
	// ok: go-path-traversal
	os.WriteFile("/srv/uploads/"+header.Filename, body, 0o600)
	// ruleid: go-path-traversal
	os.WriteFile("/srv/uploads/"+r.FormValue("name"), body, 0o600)
}
