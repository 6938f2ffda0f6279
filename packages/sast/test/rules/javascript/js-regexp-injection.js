app.get('/search', (req, res) => {
  // ruleid: js-regexp-injection
  const re = new RegExp(req.query.q, 'i');
  // ok: js-regexp-injection
  const safe = new RegExp(_.escapeRegExp(req.query.q), 'i');
  // ok: js-regexp-injection
  const fixed = new RegExp('^[a-z]+$');
  const escaped = req.query.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // ok: js-regexp-injection
  const literal = new RegExp(escaped);
  // ruleid: js-regexp-injection
  const partial = new RegExp(req.query.q.replace(/,/g, '|'));
  res.json(items.filter((i) => re.test(i) || safe.test(i) || fixed.test(i)));
});
function matcher(pattern) {
  // ruleid: js-regexp-injection
  return RegExp(pattern);
}
