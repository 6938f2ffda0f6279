// Pieces every fake HTTP server of the test suites needs (GitHub, GitLab, OSV, npm registry and
// webhook fakes on 127.0.0.1), so each fake is only its routes.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The request body: parsed JSON, the raw text when it is not JSON, `undefined` when empty. */
export async function readRequestBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** {@link readRequestBody} for routes whose bodies are JSON objects. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return (await readRequestBody(req)) as Record<string, unknown> | undefined;
}

/** Answers with a JSON body (none when `body` is undefined). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

/** Listens on a free port of 127.0.0.1 and returns the base URL (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Stops a fake server: drops its open (keep-alive) connections, then waits for it to close. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((e) => (e ? reject(e) : resolve()));
  });
}

/** The error a promise rejected with; throws (failing the test) when it resolved or rejected with a non-Error. */
export async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  const r = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(r instanceof Error)) throw new Error(`expected an Error rejection, got ${String(r)}`);
  return r;
}
