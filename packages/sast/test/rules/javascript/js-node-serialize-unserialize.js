const serialize = require('node-serialize');
app.get('/', (req, res) => {
  // ruleid: js-node-serialize-unserialize
  const profile = serialize.unserialize(Buffer.from(req.cookies.profile, 'base64').toString());
  // ok: js-node-serialize-unserialize
  const data = JSON.parse(req.cookies.data);
  res.send(profile.username + data);
});
