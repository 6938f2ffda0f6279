app.get('/file', (req, res) => {
  // ruleid: js-express-sendfile-traversal
  res.sendFile(__dirname + '/public/' + req.query.name);
  // ruleid: js-express-sendfile-traversal
  res.download(req.params.path, (err) => {});
  // ok: js-express-sendfile-traversal
  res.sendFile(req.query.name, { root: __dirname + '/public' });
  // ok: js-express-sendfile-traversal
  res.sendFile(__dirname + '/public/index.html');
});
