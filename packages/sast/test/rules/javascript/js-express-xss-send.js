app.get('/hello', (req, res) => {
  // ruleid: js-express-xss-send
  res.send('<h1>Hello ' + req.query.name + '</h1>');
  const msg = `Not found: ${req.params.page}`;
  // ruleid: js-express-xss-send
  res.write(msg);
  // ok: js-express-xss-send
  res.send('<h1>Hello ' + escapeHtml(req.query.name) + '</h1>');
  // ok: js-express-xss-send
  res.json({ name: req.query.name });
  // ok: js-express-xss-send
  res.send(computeBody());
});
router.get('/k', async (ctx) => {
  // ruleid: js-express-xss-send
  ctx.body = `<p>${ctx.query.q}</p>`;
});
