package main

// ruleid: go-hardcoded-credentials
const jwtSecret = "s3cr3t-signing-key"

func connect() {
	// ruleid: go-hardcoded-credentials
	password := "hunter2-prod"
	// ok: go-hardcoded-credentials
	dbPassword := os.Getenv("DB_PASSWORD")
	cfg := Config{
		// ruleid: go-hardcoded-credentials
		Password: "Pr0dPassw0rd!",
		// ok: go-hardcoded-credentials
		User: "app-user-name",
	}
	_, _, _ = password, dbPassword, cfg
}
