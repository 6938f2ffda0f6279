const crypto = require('crypto');
// ruleid: js-cipher-ecb-mode
const c1 = crypto.createCipheriv('aes-128-ecb', key, null);
// ok: js-cipher-ecb-mode
const c2 = crypto.createCipheriv('aes-128-cbc', key, iv);
