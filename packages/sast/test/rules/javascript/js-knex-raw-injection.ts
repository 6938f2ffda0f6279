export async function search(req: any, knex: any) {
  // ruleid: js-knex-raw-injection
  await knex.raw(`select * from items where name like '%${req.query.q}%'`);
  // ruleid: js-knex-raw-injection
  await knex('items').whereRaw('owner = ' + req.params.owner);
  // ok: js-knex-raw-injection
  await knex.raw('select * from items where name = ?', [req.query.q]);
  // ok: js-knex-raw-injection
  await knex('items').where({ owner: req.params.owner });
}
