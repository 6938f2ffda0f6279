def user(request, cursor):
    uid = request.GET["id"]
    # ruleid: py-sql-injection
    cursor.execute("SELECT * FROM users WHERE id = %s" % uid)
    # ruleid: py-sql-injection
    cursor.execute(f"SELECT * FROM users WHERE name = '{request.GET['name']}'")
    # ok: py-sql-injection
    cursor.execute("SELECT * FROM users WHERE id = %s", (uid,))
    # ok: py-sql-injection
    cursor.execute("SELECT count(*) FROM users")


def by_table(conn, table):
    # ruleid: py-sql-injection
    conn.execute("SELECT * FROM " + table)
    # ok: py-sql-injection
    conn.execute(table)
