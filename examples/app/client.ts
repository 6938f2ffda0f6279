// Browser code of the example app (TypeScript).

export function showGreeting(el: HTMLElement): void {
  const name = new URLSearchParams(location.search).get('name') ?? '';
  // PLANTED js-xss-innerhtml: DOM XSS from the query string.
  el.innerHTML = `<b>${name}</b>`;
}

export function showGreetingSafe(el: HTMLElement): void {
  const name = new URLSearchParams(location.search).get('name') ?? '';
  // Safe twin: text, not HTML.
  el.textContent = name;
}

export function notifyParent(token: string): void {
  // PLANTED js-postmessage-wildcard-origin
  window.parent.postMessage({ token }, '*');
  // Safe twin: an exact target origin.
  window.parent.postMessage({ token }, 'https://app.example.com');
}
