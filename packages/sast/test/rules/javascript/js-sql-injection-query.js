const mysql = require('mysql');
const connection = mysql.createConnection({});
app.get('/user', (req, res) => {
  // ruleid: js-sql-injection-query
  connection.query('SELECT * FROM users WHERE id = ' + req.query.id, (e, rows) => res.json(rows));
  const name = req.params.name;
  const sql = `SELECT * FROM users WHERE name = '${name}'`;
  // ruleid: js-sql-injection-query
  pool.query(sql);
  // ok: js-sql-injection-query
  connection.query('SELECT * FROM users WHERE id = ?', [req.query.id]);
  // ok: js-sql-injection-query
  db.query('SELECT * FROM users WHERE id = ' + connection.escape(req.query.id));
  // ok: js-sql-injection-query
  db.query('SELECT * FROM users WHERE id = ' + parseInt(req.query.id, 10));
});
async function byTable(client, table) {
  // ruleid: js-sql-injection-query
  return client.query(`SELECT * FROM ${table}`);
}
async function fixed(client, q) {
  // ok: js-sql-injection-query
  return client.query(q);
}
