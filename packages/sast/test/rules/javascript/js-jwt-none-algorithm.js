// ruleid: js-jwt-none-algorithm
jwt.verify(token, key, { algorithms: ['HS256', 'none'] });
// ruleid: js-jwt-none-algorithm
const t = jwt.sign(payload, '', { algorithm: 'none' });
// ok: js-jwt-none-algorithm
jwt.verify(token, key, { algorithms: ['HS256'] });
