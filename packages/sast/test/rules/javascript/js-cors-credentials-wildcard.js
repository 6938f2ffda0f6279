const cors = require('cors');
// ruleid: js-cors-credentials-wildcard
app.use(cors({ origin: true, credentials: true }));
// ruleid: js-cors-credentials-wildcard
app.use(cors({ credentials: true, origin: '*' }));
// ok: js-cors-credentials-wildcard
app.use(cors({ origin: ['https://app.example.com'], credentials: true }));
// ok: js-cors-credentials-wildcard
app.use(cors({ origin: '*' }));
