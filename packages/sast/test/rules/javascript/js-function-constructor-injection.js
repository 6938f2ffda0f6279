function make(req) {
  // ruleid: js-function-constructor-injection
  const fn = new Function('a', req.query.body);
  // ruleid: js-function-constructor-injection
  const g = Function(req.body.src);
  // ok: js-function-constructor-injection
  const h = new Function('a', 'return a + 1');
  return [fn, g, h];
}
