// ruleid: js-rsa-weak-key
const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
// ok: js-rsa-weak-key
const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 4096 });
