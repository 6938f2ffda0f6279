const { exec, execSync } = require('child_process');
const cp = require('node:child_process');

app.get('/ls', (req, res) => {
  // ruleid: js-child-process-exec-injection
  exec('ls ' + req.query.dir, (err, out) => res.send(out));
  const { dir } = req.query;
  const cmd = `ls -la ${dir}`;
  // ruleid: js-child-process-exec-injection
  execSync(cmd);
  // ok: js-child-process-exec-injection
  exec('ls -la');
  // ok: js-child-process-exec-injection
  exec('ls ' + parseInt(req.query.n, 10));
  const fixed = 'uptime';
  // ok: js-child-process-exec-injection
  cp.exec(fixed);
  // ruleid: js-child-process-exec-injection
  cp.exec(`git log ${req.body.ref}`);
  // ok: js-child-process-exec-injection
  /x/.exec(req.query.dir);
});

function run(cmd) {
  // ruleid: js-child-process-exec-injection
  exec(cmd);
}
