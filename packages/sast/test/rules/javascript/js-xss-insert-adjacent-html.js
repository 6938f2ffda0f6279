window.addEventListener('message', (event) => {
  // ruleid: js-xss-insert-adjacent-html
  list.insertAdjacentHTML('beforeend', '<li>' + event.data + '</li>');
  // ok: js-xss-insert-adjacent-html
  list.insertAdjacentHTML('beforeend', '<li>new</li>');
  // ok: js-xss-insert-adjacent-html
  list.insertAdjacentText('beforeend', event.data);
});
