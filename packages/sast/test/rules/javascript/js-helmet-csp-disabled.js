// ruleid: js-helmet-csp-disabled
app.use(helmet({ contentSecurityPolicy: false }));
// ok: js-helmet-csp-disabled
app.use(helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'self'"] } } }));
