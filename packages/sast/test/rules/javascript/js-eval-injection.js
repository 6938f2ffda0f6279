app.post('/calc', (req, res) => {
  // ruleid: js-eval-injection
  const result = eval(req.body.expression);
  const code = 'return ' + req.query.f;
  // ruleid: js-eval-injection
  eval(code);
  // ok: js-eval-injection
  eval('1 + 1');
  // ok: js-eval-injection
  JSON.parse(req.body.expression);
  res.send(String(result));
});
window.addEventListener('hashchange', () => {
  // ruleid: js-eval-injection
  eval(location.hash.slice(1));
});
