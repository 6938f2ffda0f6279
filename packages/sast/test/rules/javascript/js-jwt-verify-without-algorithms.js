// ruleid: js-jwt-verify-without-algorithms
const a = jwt.verify(token, publicKey);
// ruleid: js-jwt-verify-without-algorithms
jwt.verify(token, publicKey, (err, decoded) => {});
// ruleid: js-jwt-verify-without-algorithms
jwt.verify(token, publicKey, { issuer: 'me' });
// ok: js-jwt-verify-without-algorithms
jwt.verify(token, publicKey, { algorithms: ['RS256'] });
