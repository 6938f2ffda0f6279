const crypto = require('crypto');
// ruleid: js-weak-cipher
const c1 = crypto.createCipheriv('des-ede3-cbc', key, iv);
// ruleid: js-weak-cipher
const c2 = crypto.createCipheriv('rc4', key, null);
// ok: js-weak-cipher
const c3 = crypto.createCipheriv('aes-256-gcm', key, iv);
