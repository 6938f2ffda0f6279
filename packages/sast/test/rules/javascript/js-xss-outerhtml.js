function swap(el) {
  // ruleid: js-xss-outerhtml
  el.outerHTML = `<div>${document.location.hash}</div>`;
  // ok: js-xss-outerhtml
  el.outerHTML = '<div></div>';
}
