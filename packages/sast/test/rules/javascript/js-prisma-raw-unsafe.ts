export async function find(prisma: any, req: any, where: string) {
  // ruleid: js-prisma-raw-unsafe
  await prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE email = '${req.body.email}'`);
  // ruleid: js-prisma-raw-unsafe
  await prisma.$executeRawUnsafe('DELETE FROM "User" WHERE ' + where);
  // ok: js-prisma-raw-unsafe
  await prisma.$queryRawUnsafe('SELECT * FROM "User" WHERE email = $1', req.body.email);
  // ok: js-prisma-raw-unsafe
  await prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${req.body.email}`;
}
