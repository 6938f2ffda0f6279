const session = require('express-session');
// ruleid: js-hardcoded-session-secret
app.use(session({ secret: 'keyboard cat', resave: false }));
// ok: js-hardcoded-session-secret
app.use(session({ secret: process.env.SESSION_SECRET, resave: false }));
// ruleid: js-hardcoded-session-secret
app.use(cookieParser('s3cr3t-cookie-key'));
// ok: js-hardcoded-session-secret
app.use(cookieParser(process.env.COOKIE_SECRET));
