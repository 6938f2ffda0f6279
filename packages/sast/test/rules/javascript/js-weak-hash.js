const crypto = require('crypto');
// ruleid: js-weak-hash
const a = crypto.createHash('md5').update(data).digest('hex');
// ruleid: js-weak-hash
const b = crypto.createHash("SHA1");
// ok: js-weak-hash
const c = crypto.createHash('sha256');
