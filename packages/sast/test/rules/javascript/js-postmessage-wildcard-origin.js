// ruleid: js-postmessage-wildcard-origin
window.parent.postMessage({ token }, '*');
// ok: js-postmessage-wildcard-origin
window.parent.postMessage({ token }, 'https://app.example.com');
