app.get('/search', (req, res) => {
  // ruleid: js-regexp-injection
  const re = new RegExp(req.query.q, 'i');
  // ok: js-regexp-injection
  const safe = new RegExp(_.escapeRegExp(req.query.q), 'i');
  // ok: js-regexp-injection
  const fixed = new RegExp('^[a-z]+$');
  res.json(items.filter((i) => re.test(i) || safe.test(i) || fixed.test(i)));
});
function matcher(pattern) {
  // ruleid: js-regexp-injection
  return RegExp(pattern);
}
