// ruleid: js-cookie-httponly-false
res.cookie('token', jwt, { httpOnly: false });
// ok: js-cookie-httponly-false
res.cookie('token', jwt, { httpOnly: true, secure: true });
