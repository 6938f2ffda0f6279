import { execFile, spawn } from 'node:child_process';
export function handler(req: any) {
  // ruleid: js-child-process-shell-c
  execFile('sh', ['-c', req.query.script]);
  const cmd = `echo ${req.body.msg}`;
  // ruleid: js-child-process-shell-c
  spawn('/bin/bash', ['-c', cmd], {});
  // ok: js-child-process-shell-c
  spawn('/bin/bash', ['-c', 'echo hello']);
  // ok: js-child-process-shell-c
  execFile('grep', ['-r', req.query.term]);
}
