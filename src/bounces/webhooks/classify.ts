// The outcome of one stored webhook row, by the provider that sent it; pure, so processing (and redoing it after a
// crash) reads the stored payload again and never needs the request.
import type { Classification } from "../types.ts";
import { classifyMailgun } from "./mailgun.ts";
import { classifyPostmark } from "./postmark.ts";
import type { WebhookRoute } from "./provider-event.ts";
import { classifySendgrid } from "./sendgrid.ts";
import { classifySes } from "./ses.ts";

const CLASSIFIERS: Record<WebhookRoute, (raw: string, recipient: string) => Classification> = {
  "webhook-ses": classifySes,
  "webhook-mailgun": classifyMailgun,
  "webhook-sendgrid": classifySendgrid,
  "webhook-postmark": classifyPostmark,
};

export function classifyWebhook(route: WebhookRoute, raw: Uint8Array, recipient: string): Classification {
  const text = Buffer.from(raw).toString("utf8");
  try {
    return CLASSIFIERS[route](text, recipient);
  } catch (err) {
    return {
      kind: "unknown",
      recipients: recipient ? [recipient] : [],
      status: null,
      reason: `unreadable webhook payload: ${(err as Error).message}`,
    };
  }
}
