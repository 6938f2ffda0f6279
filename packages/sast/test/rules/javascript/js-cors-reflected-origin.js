app.use((req, res, next) => {
  // ruleid: js-cors-reflected-origin
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
  // ruleid: js-cors-reflected-origin
  res.header('access-control-allow-origin', req.get('origin'));
  // ok: js-cors-reflected-origin
  res.setHeader('Access-Control-Allow-Origin', 'https://app.example.com');
  next();
});
