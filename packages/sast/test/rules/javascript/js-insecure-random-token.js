function issue(user) {
  // ruleid: js-insecure-random-token
  const resetToken = Math.random().toString(36).slice(2);
  // ruleid: js-insecure-random-token
  user.sessionId = Math.floor(Math.random() * 1e16);
  // ok: js-insecure-random-token
  const jitter = Math.random() * 100;
  // ok: js-insecure-random-token
  const token = crypto.randomBytes(32).toString('hex');
  return { resetToken, jitter, token };
}
function generatePassword() {
  // ruleid: js-insecure-random-token
  return String(Math.random()).slice(2, 10);
}
