import fs from 'node:fs';
import path from 'node:path';
export function download(req: any, res: any) {
  // ruleid: js-path-traversal-fs
  const data = fs.readFileSync('/var/data/' + req.query.file);
  const target = path.join(__dirname, 'uploads', req.params.name);
  // ruleid: js-path-traversal-fs
  fs.createReadStream(target).pipe(res);
  // ok: js-path-traversal-fs
  fs.readFileSync(path.join('/var/data', path.basename(req.query.file)));
  // ok: js-path-traversal-fs
  fs.readFileSync('/var/data/static.txt');
  return data;
}
export function unzip(upload: any) {
  upload.pipe(unzipper.Parse()).on('entry', function (entry: any) {
    // ruleid: js-path-traversal-fs
    entry.pipe(fs.createWriteStream('out/' + entry.path));
    // ok: js-path-traversal-fs
    entry.pipe(fs.createWriteStream(path.join('out', path.basename(entry.path))));
  });
  zipfile.on('entry', (entry: any) => {
    // ruleid: js-path-traversal-fs
    fs.writeFileSync(`out/${entry.fileName}`, "");
  });
}
export function copy(file: any) {
  // ok: js-path-traversal-fs
  fs.writeFileSync('out/copy', fs.readFileSync(file.path));
}
