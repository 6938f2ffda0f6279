const pug = require('pug');
app.get('/greet', (req, res) => {
  // ruleid: js-template-injection
  const fn = pug.compile('p Hello ' + req.query.name);
  // ruleid: js-template-injection
  res.send(ejs.render(req.body.template, {}));
  // ok: js-template-injection
  res.send(pug.compile('p Hello #{name}')({ name: req.query.name }));
  res.send(fn());
});
