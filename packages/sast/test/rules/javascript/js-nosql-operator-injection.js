app.post('/login', async (req, res) => {
  // ruleid: js-nosql-operator-injection
  const user = await User.findOne({ username: req.body.username, password: req.body.password });
  const filter = req.query.filter;
  // ruleid: js-nosql-operator-injection
  await db.collection('orders').find(filter);
  // ok: js-nosql-operator-injection
  await User.findOne({ username: String(req.body.username) });
  // ok: js-nosql-operator-injection
  await User.findOne({ active: true });
  // ok: js-nosql-operator-injection
  await db.User.find({ where: { login: req.body.login } });
  // ruleid: js-nosql-operator-injection
  await orders.find({ customer: req.body.customer }).sort({ date: -1 });
  res.json(user);
});
