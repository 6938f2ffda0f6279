package main

func setCookie(w http.ResponseWriter, sid string) {
	http.SetCookie(w, &http.Cookie{
		Name:  "sid",
		Value: sid,
		// ruleid: go-cookie-insecure
		Secure: false,
		// ok: go-cookie-insecure
		HttpOnly: true,
	})
}
