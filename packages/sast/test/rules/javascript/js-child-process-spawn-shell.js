const { spawn, spawnSync } = require('child_process');
module.exports = (req, res) => {
  // ruleid: js-child-process-spawn-shell
  spawn(req.query.tool, [], { shell: true });
  const prog = req.body.prog;
  // ruleid: js-child-process-spawn-shell
  spawnSync(prog, ['-v'], { cwd: '/tmp', shell: '/bin/bash' });
  // ok: js-child-process-spawn-shell
  spawn('ls', [req.query.dir]);
  // ok: js-child-process-spawn-shell
  spawn(req.query.tool, [], { shell: false });
};
