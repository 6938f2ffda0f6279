package main

func login(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-open-redirect
	http.Redirect(w, r, r.URL.Query().Get("next"), http.StatusFound)
	// ok: go-open-redirect
	http.Redirect(w, r, "/home", http.StatusFound)
}

func ginLogin(c *gin.Context) {
	// ruleid: go-open-redirect
	c.Redirect(302, c.Query("next"))
}
