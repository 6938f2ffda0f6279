function later(name) {
  // ruleid: js-string-timer
  setTimeout('refresh()', 100);
  // ruleid: js-string-timer
  setInterval('poll("' + name + '")', 1000);
  // ok: js-string-timer
  setTimeout(() => refresh(), 100);
  // ok: js-string-timer
  setInterval(poll, 1000);
}
