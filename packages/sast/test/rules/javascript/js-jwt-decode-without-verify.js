function user(req) {
  // ruleid: js-jwt-decode-without-verify
  const claims = jwt.decode(req.headers.authorization.split(' ')[1]);
  // ok: js-jwt-decode-without-verify
  const verified = jwt.verify(token, key, { algorithms: ['RS256'] });
  // ok: js-jwt-decode-without-verify
  const url = decodeURIComponent(req.url);
  return [claims, verified, url];
}
