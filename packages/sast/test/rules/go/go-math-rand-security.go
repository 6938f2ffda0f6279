package main

import (
	"math/rand"
)

func newSession() string {
	// ruleid: go-math-rand-security
	sessionToken := rand.Int63()
	// ok: go-math-rand-security
	jitter := rand.Intn(100)
	return fmt.Sprint(sessionToken, jitter)
}

func generateToken() int {
	// ruleid: go-math-rand-security
	return rand.Int()
}
