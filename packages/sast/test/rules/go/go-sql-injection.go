package main

func user(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	// ruleid: go-sql-injection
	rows, _ := db.Query("SELECT * FROM users WHERE id = " + id)
	q := fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", r.FormValue("name"))
	// ruleid: go-sql-injection
	db.QueryRowContext(ctx, q)
	// ok: go-sql-injection
	db.Query("SELECT * FROM users WHERE id = $1", id)
	_ = rows
}

func byTable(db *sql.DB, table string) {
	// ruleid: go-sql-injection
	db.Exec(fmt.Sprintf("DELETE FROM %s", table))
	// ok: go-sql-injection
	db.Exec(table)
}
