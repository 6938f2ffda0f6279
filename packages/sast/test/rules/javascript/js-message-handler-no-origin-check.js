// ruleid: js-message-handler-no-origin-check
window.addEventListener('message', (event) => {
  run(event.data.command);
});
// ok: js-message-handler-no-origin-check
window.addEventListener('message', (event) => {
  if (event.origin !== 'https://app.example.com') return;
  run(event.data.command);
});
// ok: js-message-handler-no-origin-check
button.addEventListener('click', (event) => run(event.target));
