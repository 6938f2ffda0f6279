import jwt from 'jsonwebtoken';
// ruleid: js-hardcoded-jwt-secret
const token = jwt.sign({ sub: user.id }, 'shhhhh', { expiresIn: '1h' });
// ruleid: js-hardcoded-jwt-secret
jwt.verify(token, "keyboard cat");
// ok: js-hardcoded-jwt-secret
const t2 = jwt.sign({ sub: user.id }, process.env.JWT_SECRET!, { expiresIn: '1h' });
