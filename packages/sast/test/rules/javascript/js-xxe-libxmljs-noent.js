const libxmljs = require('libxmljs');
app.post('/upload', (req, res) => {
  // ruleid: js-xxe-libxmljs-noent
  const doc = libxmljs.parseXmlString(req.body.xml, { noent: true, noblanks: true });
  // ok: js-xxe-libxmljs-noent
  const doc2 = libxmljs.parseXmlString(req.body.xml, { noblanks: true });
  // ok: js-xxe-libxmljs-noent
  const doc3 = libxmljs.parseXml(req.body.xml, { noent: false });
  res.send(doc.toString() + doc2 + doc3);
});
