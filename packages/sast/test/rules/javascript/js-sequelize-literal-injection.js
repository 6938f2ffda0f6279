const { Sequelize } = require('sequelize');
async function list(req, sequelize) {
  // ruleid: js-sequelize-literal-injection
  const order = Sequelize.literal(`name ${req.query.dir}`);
  // ruleid: js-sequelize-literal-injection
  await sequelize.query('SELECT * FROM Products WHERE name LIKE \'%' + req.query.q + '%\'');
  // ok: js-sequelize-literal-injection
  await sequelize.query('SELECT * FROM Products WHERE name LIKE :q', { replacements: { q: req.query.q } });
  // ok: js-sequelize-literal-injection
  const fixed = Sequelize.literal('name ASC');
  return [order, fixed];
}
