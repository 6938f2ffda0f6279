$(function () {
  const q = new URLSearchParams(location.search).get('q');
  // ruleid: js-jquery-html-injection
  $('#result').html('Results for ' + q);
  // ruleid: js-jquery-html-injection
  $('#list').append(location.hash);
  // ok: js-jquery-html-injection
  $('#result').text('Results for ' + q);
  // ok: js-jquery-html-injection
  $('#result').html('<b>static</b>');
});
