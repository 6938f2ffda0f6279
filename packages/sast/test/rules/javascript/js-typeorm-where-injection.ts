export async function q(repo: any, req: any) {
  const qb = repo.createQueryBuilder('user');
  // ruleid: js-typeorm-where-injection
  qb.where(`user.name = '${req.query.name}'`);
  const cond = 'user.role = ' + req.body.role;
  // ruleid: js-typeorm-where-injection
  qb.andWhere(cond);
  // ok: js-typeorm-where-injection
  qb.where('user.name = :name', { name: req.query.name });
}
