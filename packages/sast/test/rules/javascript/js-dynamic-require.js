app.get('/plugin', (req, res) => {
  // ruleid: js-dynamic-require
  const plugin = require('./plugins/' + req.query.name);
  // ruleid: js-dynamic-require
  import(req.params.mod).then((m) => m.run());
  // ok: js-dynamic-require
  const fixed = require('./plugins/default');
  res.json({ plugin, fixed });
});
