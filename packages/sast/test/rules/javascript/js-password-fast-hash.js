const crypto = require('crypto');
function store(user, password) {
  // ruleid: js-password-fast-hash
  user.hash = crypto.createHash('sha256').update(password).digest('hex');
  // ruleid: js-password-fast-hash
  const h = crypto.createHmac('sha512', pepper).update(req.body.pwd).digest('hex');
  // ok: js-password-fast-hash
  const etag = crypto.createHash('sha256').update(body).digest('hex');
  return bcrypt.hash(password, 12);
}
