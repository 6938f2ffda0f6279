const crypto = require('crypto');
// ruleid: js-hardcoded-crypto-key
const c1 = crypto.createCipheriv('aes-256-cbc', 'my-super-secret-key-0123456789ab', iv);
// ruleid: js-hardcoded-crypto-key
const h = crypto.createHmac('sha256', Buffer.from('hmac-secret-value'));
// ok: js-hardcoded-crypto-key
const c2 = crypto.createCipheriv('aes-256-cbc', Buffer.from(process.env.KEY, 'hex'), iv);
