const next = new URLSearchParams(location.search).get('next');
// ruleid: js-dom-open-redirect
window.location.href = next;
// ruleid: js-dom-open-redirect
location.assign(location.hash.slice(1));
// ok: js-dom-open-redirect
window.location.href = '/dashboard';
// ok: js-dom-open-redirect
location.replace('/login');
