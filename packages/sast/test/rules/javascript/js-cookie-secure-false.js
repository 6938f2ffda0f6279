// ruleid: js-cookie-secure-false
res.cookie('sid', id, { httpOnly: true, secure: false });
// ruleid: js-cookie-secure-false
app.use(session({ secret: s, cookie: { secure: false } }));
// ok: js-cookie-secure-false
res.cookie('sid', id, { httpOnly: true, secure: true });
// ok: js-cookie-secure-false
const conn = mysql.createConnection({ secure: false });
