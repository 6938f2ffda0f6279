import type { MonitorEvent } from './monitor.js';

/** Where the monitor POSTs one JSON document per event (Slack/Mattermost/Teams-style incoming webhooks). */
export interface WebhookOptions {
  url: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The URL without path, query or credentials: incoming-webhook URLs carry their secret in the path. */
export function safeWebhookUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '<invalid webhook url>';
  }
}

/** A one-line human summary of an event; chat tools show the `text` field of the payload. */
export function eventText(e: MonitorEvent): string {
  const where = e.environments.map((x) => x.environment).join(', ');
  const verb = {
    opened: 'affects',
    reopened: 'affects again',
    updated: 'was updated; still affects',
    closed: 'no longer affects',
  }[e.type];
  const summary = e.advisory.summary ? ` (${e.advisory.summary})` : '';
  const issue = e.issue?.url ? ` ${e.issue.url}` : '';
  return `[${e.type === 'closed' ? 'resolved' : (e.advisory.severity ?? 'unknown')}] ${e.advisory.id}${summary} ${verb} ${e.application}${where ? ` in ${where}` : ''}.${issue}`;
}

/** The JSON the webhook receives. */
export function webhookPayload(e: MonitorEvent): Record<string, unknown> {
  return { text: eventText(e), source: 'devsecflow', ...e };
}

/** POSTs one event; throws an Error naming the (redacted) URL when it fails. */
export async function postWebhook(options: WebhookOptions, event: MonitorEvent): Promise<void> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(webhookPayload(event)),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (e) {
    throw new Error(
      `webhook ${safeWebhookUrl(options.url)}: ${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message}`,
    );
  }
  // Drain the body so the connection can be reused.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`webhook ${safeWebhookUrl(options.url)}: HTTP ${res.status}`);
}
