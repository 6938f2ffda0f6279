const crypto = require('crypto');
// ruleid: js-deprecated-create-cipher
const c = crypto.createCipher('aes-256-cbc', password);
// ok: js-deprecated-create-cipher
const d = crypto.createCipheriv('aes-256-cbc', key, iv);
