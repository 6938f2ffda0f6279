app.get('/find', async (req, res) => {
  // ruleid: js-nosql-where-injection
  const docs = await User.find({ $where: 'this.name == "' + req.query.name + '"' });
  // ruleid: js-nosql-where-injection
  await db.collection('u').find({ '$where': `this.age > ${req.query.age}` });
  // ok: js-nosql-where-injection
  await User.find({ $where: 'this.active == true' });
  // ok: js-nosql-where-injection
  await User.find({ name: String(req.query.name) });
  res.json(docs);
});
