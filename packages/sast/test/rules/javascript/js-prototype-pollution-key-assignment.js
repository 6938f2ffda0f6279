app.post('/settings', (req, res) => {
  const { section, key, value } = req.body;
  // ruleid: js-prototype-pollution-key-assignment
  settings[section][key] = value;
  // ruleid: js-prototype-pollution-key-assignment
  store[req.query.ns][req.query.k] = req.query.v;
  // ok: js-prototype-pollution-key-assignment
  settings['display'][key] = value;
});
