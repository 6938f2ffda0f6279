package main

func page(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-template-html-bypass
	data := template.HTML(r.FormValue("bio"))
	// ok: go-template-html-bypass
	icon := template.HTML("<svg></svg>")
	tmpl.Execute(w, map[string]any{"bio": data, "icon": icon})
}

func render(s string) template.HTML {
	// ruleid: go-template-html-bypass
	return template.HTML(s)
}
