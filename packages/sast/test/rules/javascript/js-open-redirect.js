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
