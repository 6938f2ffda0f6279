// ruleid: js-pbkdf2-low-iterations
const k1 = crypto.pbkdf2Sync(password, salt, 1000, 64, 'sha512');
// ruleid: js-pbkdf2-low-iterations
crypto.pbkdf2(password, salt, 5_000, 64, 'sha256', cb);
// ok: js-pbkdf2-low-iterations
const k2 = crypto.pbkdf2Sync(password, salt, 600000, 64, 'sha256');
