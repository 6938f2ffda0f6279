// ruleid: js-tls-weak-version
const server = tls.createServer({ key, cert, minVersion: 'TLSv1' });
// ruleid: js-tls-weak-version
https.request({ host, secureProtocol: 'TLSv1_method' });
// ok: js-tls-weak-version
tls.createServer({ key, cert, minVersion: 'TLSv1.2' });
