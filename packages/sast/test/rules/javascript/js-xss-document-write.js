// ruleid: js-xss-document-write
document.write('<img src="/t?ref=' + document.referrer + '">');
// ok: js-xss-document-write
document.write('<p>hello</p>');
// ok: js-xss-document-write
document.write('<p>' + encodeURIComponent(document.referrer) + '</p>');
