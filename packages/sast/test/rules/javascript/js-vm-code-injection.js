const vm = require('vm');
exports.run = (req, res) => {
  const sandbox = { out: null };
  // ruleid: js-vm-code-injection
  vm.runInNewContext(req.body.code, sandbox);
  // ruleid: js-vm-code-injection
  const s = new vm.Script(`out = ${req.query.expr}`);
  // ok: js-vm-code-injection
  vm.runInNewContext('out = 1 + 2', sandbox);
  res.json({ s });
};
