app.get('/login/callback', (req, res) => {
  // ruleid: js-open-redirect
  res.redirect(req.query.next);
  // ruleid: js-open-redirect
  res.redirect(302, req.query.returnTo);
  // ok: js-open-redirect
  res.redirect('/home');
  // ok: js-open-redirect
  res.redirect(isAllowedRedirect(req.query.next) ? req.query.next : '/');
});

// Handlers that destructure the request object.
app.get('/go', ({ query }, res) => {
  // ruleid: js-open-redirect
  res.redirect(query.to);
});
app.post('/next', function ({ body }, res, next) {
  // ruleid: js-open-redirect
  res.redirect(`${body.next}`);
});
// Not a handler: no response parameter beside the destructured object.
function follow({ query }, done) {
  // ok: js-open-redirect
  res.redirect(query.to);
}
