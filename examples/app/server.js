// A deliberately vulnerable Express app for the DevSecFlow quick start. Every planted issue is
// marked `PLANTED` and sits next to its safe twin, which the SAST stage must not report.
const express = require('express');
const { exec, execFile } = require('child_process');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const app = express();
app.use(express.json());

app.get('/ping', (req, res) => {
  // PLANTED js-child-process-exec-injection: the host goes through a shell.
  exec('ping -c 1 ' + req.query.host, (err, out) => res.type('text').send(out));
});

app.get('/ping-safe', (req, res) => {
  // Safe twin: no shell, the host is a single argument.
  execFile('ping', ['-c', '1', String(req.query.host)], (err, out) => res.type('text').send(out));
});

app.get('/files', (req, res) => {
  const { name } = req.query;
  // PLANTED js-path-traversal-fs: `../` escapes the folder.
  res.send(fs.readFileSync(path.join(__dirname, 'files', name)));
});

app.get('/files-safe', (req, res) => {
  // Safe twin: basename keeps the name inside the folder.
  res.send(fs.readFileSync(path.join(__dirname, 'files', path.basename(String(req.query.name)))));
});

app.get('/hello', (req, res) => {
  // PLANTED js-express-xss-send: request data echoed as HTML.
  res.send(`<h1>Hello ${req.query.name}</h1>`);
});

app.get('/hello-safe', (req, res) => {
  // Safe twin: JSON is not rendered as HTML.
  res.json({ hello: req.query.name });
});

app.get('/go', (req, res) => {
  // PLANTED js-open-redirect
  res.redirect(req.query.next);
});

app.get('/go-safe', (req, res) => {
  // Safe twin: a fixed target.
  res.redirect('/');
});

function fingerprint(data) {
  // PLANTED js-weak-hash
  const weak = crypto.createHash('md5').update(data).digest('hex');
  // Safe twin
  const strong = crypto.createHash('sha256').update(data).digest('hex');
  return [weak, strong];
}

module.exports = { app, fingerprint };
