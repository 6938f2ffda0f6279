const crypto = require('crypto');
// ruleid: js-hardcoded-iv
const c1 = crypto.createCipheriv('aes-256-cbc', key, '0123456789abcdef');
// ruleid: js-hardcoded-iv
const c2 = crypto.createCipheriv('aes-256-cbc', key, Buffer.alloc(16, 0));
// ok: js-hardcoded-iv
const c3 = crypto.createCipheriv('aes-256-cbc', key, crypto.randomBytes(16));
