export function Comment({ body }) {
  // ruleid: js-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{ __html: body }} />;
}
export function Safe({ body }) {
  // ok: js-react-dangerously-set-inner-html
  const a = <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(body) }} />;
  // ok: js-react-dangerously-set-inner-html
  const b = <div dangerouslySetInnerHTML={{ __html: '<br/>' }} />;
  return [a, b];
}
