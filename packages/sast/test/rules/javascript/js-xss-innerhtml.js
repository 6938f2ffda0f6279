const params = new URLSearchParams(location.search);
function show(el) {
  // ruleid: js-xss-innerhtml
  el.innerHTML = location.hash.substring(1);
  const name = params.get('name');
  // ruleid: js-xss-innerhtml
  el.innerHTML = '<b>' + name + '</b>';
  // ok: js-xss-innerhtml
  el.innerHTML = '<b>static</b>';
  // ok: js-xss-innerhtml
  el.innerHTML = DOMPurify.sanitize(location.hash);
  // ok: js-xss-innerhtml
  el.textContent = location.hash;
}
function render(el, html) {
  // ruleid: js-xss-innerhtml
  el.innerHTML = html;
}
