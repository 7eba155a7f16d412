// Preview any recipient, count empty merge fields over the whole list, and send tests: nothing here is counted.

import type { Db } from "../../../db/connect.ts";
import { appendEvent } from "../../../deliveries/events.ts";
import { recipientLinks, testMessageId, testReturnPath } from "../../../deliveries/identity.ts";
import type { Keyring } from "../../../deliveries/tokens.ts";
import { sanitizeForPreview } from "../../../mailings/content.ts";
import { emptyVariableReport } from "../../../mailings/empty-variables.ts";
import { emptyVariables, type MergeContext } from "../../../mailings/merge-fields.ts";
import { loadRecipientValues, type RecipientValues } from "../../../mailings/merge-values.ts";
import { pickPreviewRecipient } from "../../../mailings/recipients.ts";
import { isValidEmail } from "../../../persons/person-rules.ts";
import { isoNow } from "../../../shared/clock.ts";
import { AppError, invalid, notFound } from "../../../shared/errors.ts";
import { randomToken } from "../../../shared/ids.ts";
import { accountForSending } from "../../accounts.ts";
import { emailTransport, smtpAccountOf } from "./index.ts";
import { buildMessage } from "./message.ts";
import { formLinksFor, prepareMailing, renderDelivery } from "./prepare.ts";

export type PreviewDeps = { db: Db; publicUrl: string; keys: Keyring };

export const SAMPLE_RECIPIENT: RecipientValues = {
  customer: {
    id: null,
    name: "Kari Nordmann",
    firstname: "Kari",
    middlename: null,
    lastname: "Nordmann",
    bestName: "Kari",
    salutation: "Kari Nordmann",
    title: null,
    mrmrs: null,
    email: "kari.nordmann@example.no",
    cellphone: null,
    phone: null,
    language: "nb",
  },
  company: null,
  ourContact: null,
  ourContactEmail: null,
};

async function renderFor(deps: PreviewDeps, mailingId: number, recipientId?: number, isTest = false) {
  const prepared = await prepareMailing(deps.db, mailingId);
  const recipient = await pickPreviewRecipient(deps.db, mailingId, "email", recipientId);
  const values = recipient
    ? (await loadRecipientValues(deps.db, [{ recipientId: recipient.id, email: recipient.email! }])).get(
        recipient.id,
      )!
    : SAMPLE_RECIPIENT;
  // Previews and tests are delivery 0: it has no row, so its unsubscribe links are refused, and its clicks are kept
  // apart as test clicks that never count.
  const links = recipientLinks(deps.publicUrl, deps.keys, 0);
  const rendered = renderDelivery(
    prepared,
    {
      id: 0,
      email: values.customer.email ?? SAMPLE_RECIPIENT.customer.email!,
      messageId: testMessageId(mailingId, randomToken(6), prepared.fromDomain),
    },
    values,
    links,
    deps.keys,
    { isTest, publicUrl: deps.publicUrl },
  );
  const context: MergeContext = {
    ...values,
    mailing: { name: prepared.name, subject: rendered.message.subject },
    link: { ...links, form: formLinksFor(prepared, values, deps.keys, deps.publicUrl) },
  };
  const empty = [
    ...new Set([...emptyVariables(prepared.subject, context), ...emptyVariables(prepared.html, context)]),
  ];
  return { prepared, recipient, rendered, empty };
}

export async function previewRecipient(deps: PreviewDeps, mailingId: number, recipientId?: number) {
  const { recipient, rendered, empty } = await renderFor(deps, mailingId, recipientId);
  return {
    recipientId: recipient?.id ?? null,
    subject: rendered.message.subject,
    html: sanitizeForPreview(rendered.message.html),
    text: rendered.message.text,
    emptyVariables: empty,
  };
}

/** Which merge fields are empty for whom, over every eligible recipient (SPEC §5: a warning, with the list). */
export async function emailEmptyVariableReport(db: Db, mailingId: number) {
  const prepared = await prepareMailing(db, mailingId);
  return emptyVariableReport(db, mailingId, [prepared.subject, prepared.html], (values) => ({
    ...values,
    mailing: { name: prepared.name, subject: "" },
    link: {
      unsubscribe: "x",
      subscriptions: "x",
      viewOnline: "x",
      form: Object.fromEntries(prepared.formSlugs.map((slug) => [slug, "x"])),
    },
  }));
}

/** Sends the mailing as a chosen recipient (or a sample) would get it to `;`-separated addresses, marked [TEST]. */
export async function sendTest(
  deps: PreviewDeps,
  mailingId: number,
  addressList: string,
  recipientId?: number,
) {
  const addresses = addressList
    .split(";")
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = addresses.filter((a) => !isValidEmail(a));
  if (addresses.length === 0)
    throw invalid([{ field: "addresses", message: "give at least one address", kind: "required" }]);
  if (bad.length > 0)
    throw invalid([
      {
        field: "addresses",
        message: `not valid e-mail addresses: ${bad.join(", ")}`,
        kind: "format",
        params: { format: "email", given: bad.join(", ") },
      },
    ]);
  if (addresses.length > 20)
    throw invalid([
      { field: "addresses", message: "at most 20 test addresses", kind: "maxItems", params: { limit: 20 } },
    ]);
  const mailing = await deps.db
    .selectFrom("mailings")
    .select("sending_account_id")
    .where("id", "=", mailingId)
    .executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  if (!mailing.sending_account_id)
    throw new AppError("MAILING_NOT_READY", "choose a sending account first", { field: "sendingAccountId" });
  const { rendered, prepared } = await renderFor(deps, mailingId, recipientId, true);
  const account = await accountForSending(deps.db, mailing.sending_account_id);
  // An account that may not send says why at once, instead of once per address.
  if (account.kind === "smtp") smtpAccountOf(account, deps.publicUrl);
  const transport = emailTransport(deps.db, account, { maxConnections: 1, publicUrl: deps.publicUrl });
  const returnPath = testReturnPath(deps.keys, mailingId, prepared.bounceDomain);
  let sent = 0;
  const failures: string[] = [];
  try {
    for (const address of addresses) {
      const raw = await buildMessage({
        ...rendered.message,
        to: { address },
        messageId: testMessageId(mailingId, randomToken(8), prepared.fromDomain),
      });
      // A return path under the bounce domain like a delivery's, whose token marks it as a test of this mailing:
      // its bounce is kept with the mailing as a test event and never counts against anyone (bounces/inbound.ts).
      const [outcome] = await transport.send([
        {
          mailingId,
          deliveryId: null,
          isTest: true,
          subject: rendered.message.subject,
          envelope: { from: returnPath, to: address },
          raw,
        },
      ]);
      const accepted = outcome!.kind === "accepted";
      if (accepted) sent++;
      else failures.push(`${address}: ${outcome!.reply}`);
      // Kept with the mailing as a test event, so a bounce that comes back later is shown beside the test it answers.
      await appendEvent(deps.db, {
        mailing_id: mailingId,
        delivery_id: null,
        person_id: null,
        kind: accepted ? "sent" : "failed",
        detail: (accepted ? address : `${address}: ${outcome!.reply}`).slice(0, 2000),
        flagged: 0,
        is_test: 1,
        created_at: isoNow(),
      });
    }
  } finally {
    await transport.close();
  }
  return { sent, failures };
}
