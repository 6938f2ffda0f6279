import axios from 'axios';
export async function proxy(req: any, res: any) {
  // ruleid: js-ssrf-http-request
  const r = await fetch(req.query.url);
  const target = `http://${req.body.host}/status`;
  // ruleid: js-ssrf-http-request
  await axios.get(target);
  // ok: js-ssrf-http-request
  await axios.get('https://api.example.com/status');
  // ok: js-ssrf-http-request
  await fetch('https://api.example.com/items/' + encodeURIComponent(req.query.id));
  // A chain split over lines, as formatters print it.
  // ruleid: js-ssrf-http-request
  const image = request
    .get(req.body.imageUrl)
    .on('error', () => res.end());
  // ok: js-ssrf-http-request
  const logo = request
    .get('https://cdn.example.com/logo.png');
  res.json(await r.json());
}
