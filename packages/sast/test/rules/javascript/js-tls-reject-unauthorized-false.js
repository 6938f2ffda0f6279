// ruleid: js-tls-reject-unauthorized-false
const agent = new https.Agent({ rejectUnauthorized: false });
// ok: js-tls-reject-unauthorized-false
const agent2 = new https.Agent({ rejectUnauthorized: true, ca });
// ruleid: js-tls-reject-unauthorized-false
tls.connect({ host, port, 'rejectUnauthorized': false });
// ruleid: js-tls-reject-unauthorized-false
https.request(u, { rejectUnauthorized: !1 }, cb);
// ok: js-tls-reject-unauthorized-false
https.request(u, { rejectUnauthorized: !0 }, cb);
// ok: js-tls-reject-unauthorized-false
https.request(u, { rejectUnauthorized: !false }, cb);
