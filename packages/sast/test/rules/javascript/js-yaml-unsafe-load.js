const yaml = require('js-yaml');
// ruleid: js-yaml-unsafe-load
const a = yaml.load(text, { schema: yaml.DEFAULT_FULL_SCHEMA });
// ok: js-yaml-unsafe-load
const b = yaml.load(text);
// ok: js-yaml-unsafe-load
const c = yaml.load(text, { schema: yaml.JSON_SCHEMA_X });
