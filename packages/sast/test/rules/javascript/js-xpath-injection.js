app.get('/user', (req, res) => {
  // ruleid: js-xpath-injection
  const nodes = xpath.select("//user[name/text()='" + req.query.name + "']", doc);
  // ok: js-xpath-injection
  const all = xpath.select('//user', doc);
  res.json([nodes, all]);
});
