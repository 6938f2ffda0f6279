const _ = require('lodash');
app.put('/profile', (req, res) => {
  // ruleid: js-prototype-pollution-merge-request
  _.merge(user.profile, req.body);
  const patch = JSON.parse(req.body.json);
  // ruleid: js-prototype-pollution-merge-request
  const next = deepmerge(defaults, patch);
  // ok: js-prototype-pollution-merge-request
  _.merge(user.profile, { name: 'x' });
  res.json(next);
});
