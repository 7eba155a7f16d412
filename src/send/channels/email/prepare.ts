// A mailing made ready to send: templates compiled, MJML rendered and CSS inlined once; then one message per
// delivery is only a merge and a build. Identity (Message-ID, VERP, unsubscribe token) derives from the delivery.
import type { Db } from "../../../db/connect.ts";
import {
  type RecipientLinks,
  recipientFormLinks,
  unsubscribeMailto,
  verpReturnPath,
} from "../../../deliveries/identity.ts";
import type { Keyring } from "../../../deliveries/tokens.ts";
import { inlineCss, renderSourceHtml, textFromHtml } from "../../../mailings/content.ts";
import {
  type CompiledTemplate,
  compileTemplate,
  formLinkSlugs,
  type MergeContext,
  renderTemplate,
} from "../../../mailings/merge-fields.ts";
import type { RecipientValues } from "../../../mailings/merge-values.ts";
import { AppError } from "../../../shared/errors.ts";
import { fillTrackingMarkers, markOpenPixel, markTrackedLinks, registerLinks } from "../../../track/links.ts";
import { dkimSigningKey, domainForSending } from "../../accounts.ts";
import { fillDocumentMarkers, markDocument, recipientLanguage } from "./document.ts";
import type { OutgoingMessage } from "./message.ts";

export type PreparedMailing = {
  mailingId: number;
  name: string;
  subject: CompiledTemplate;
  html: CompiledTemplate;
  text: CompiledTemplate;
  from: { name: string | null; address: string };
  fromMode: "fixed" | "our-contact";
  replyTo: string | null;
  /** The from address's domain, a registered sending domain. */
  fromDomain: string;
  /** Undefined when the domain's relay signs (sending-domains `dkim_signer`): the message goes out unsigned. */
  dkim: { domainName: string; keySelector: string; privateKey: string } | undefined;
  bounceDomain: string;
  registeredDomains: Set<string>;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** Tracked links by id, as written in the content (a URL with merge fields is rendered at click time). */
  trackedLinks: Map<number, string>;
  /** The forms `[[link.form.<slug>]]` names in the subject, HTML or text: each recipient gets their own link. */
  formSlugs: string[];
  updatedAt: string;
};

export async function prepareMailing(db: Db, mailingId: number): Promise<PreparedMailing> {
  const m = await db.selectFrom("mailings").selectAll().where("id", "=", mailingId).executeTakeFirstOrThrow();
  if (!m.from_address || !m.content || !m.subject)
    throw new AppError(
      "MAILING_NOT_READY",
      `mailing ${mailingId} lacks a from address, subject or content`,
      {},
    );
  const domainName = m.from_address.split("@")[1]!.toLowerCase();
  const domain = await domainForSending(db, domainName);
  if (!domain)
    throw new AppError("MAILING_NOT_READY", `${domainName} is not a registered sending domain`, {
      field: "fromAddress",
    });
  const { html: sourceHtml } = await renderSourceHtml(m.content_format, m.content);
  const inlined = inlineCss(sourceHtml);
  // Links are registered from the content before merging; the text part keeps the plain URLs.
  const linkIds = await registerLinks(db, mailingId, inlined, m.track_links);
  const tracked = markTrackedLinks(inlined, linkIds);
  const htmlSource = markDocument(m.track_opens ? markOpenPixel(tracked) : tracked);
  const attachments = await db
    .selectFrom("mailing_attachments")
    .select(["filename", "content_type", "data"])
    .where("mailing_id", "=", mailingId)
    .orderBy("id")
    .execute();
  const domains = await db.selectFrom("sending_domains").select("domain").execute();
  const subject = compileTemplate(m.subject, "header", { field: "subject" });
  const html = compileTemplate(htmlSource, "html", { field: "content" });
  const text = compileTemplate(m.text_content?.trim() ? m.text_content : textFromHtml(inlined), "text", {
    field: "textContent",
  });
  return {
    mailingId,
    name: m.name,
    subject,
    html,
    text,
    from: { name: m.from_name, address: m.from_address },
    fromMode: m.from_mode,
    replyTo: m.reply_to,
    fromDomain: domainName,
    dkim: dkimSigningKey(domain),
    bounceDomain: domain.bounce_domain,
    registeredDomains: new Set(domains.map((d) => d.domain)),
    attachments: attachments.map((a) => ({
      filename: a.filename,
      contentType: a.content_type,
      content: Buffer.from(a.data),
    })),
    trackedLinks: new Map([...linkIds].map(([url, id]) => [id, url])),
    formSlugs: formLinkSlugs([subject, html, text]),
    updatedAt: m.updated_at,
  };
}

/**
 * `[[link.form.<slug>]]` for this recipient: each form the mailing names, with a token naming the person. Never
 * click-tracked (track/links.ts leaves every `[[link.…]]` alone), so the token reaches the form as it was signed.
 */
export function formLinksFor(
  prepared: Pick<PreparedMailing, "formSlugs">,
  values: Pick<RecipientValues, "customer">,
  keys: Keyring,
  publicUrl: string,
): Record<string, string> {
  const id = Number(values.customer.id ?? Number.NaN);
  const personId = Number.isSafeInteger(id) && id > 0 ? id : null;
  return recipientFormLinks(publicUrl, keys, personId, prepared.formSlugs);
}

export type DeliveryIdentity = { id: number; email: string; messageId: string };

/**
 * The message for one delivery; `isTest` marks the subject. Tracked links and the open pixel get this delivery's
 * signed URLs under `publicUrl` (a test send uses delivery 0, whose clicks are kept apart as test clicks).
 */
export function renderDelivery(
  prepared: PreparedMailing,
  delivery: DeliveryIdentity,
  values: RecipientValues,
  links: RecipientLinks,
  keys: Keyring,
  options: { isTest?: boolean; publicUrl: string },
): { message: OutgoingMessage; returnPath: string } {
  const context: MergeContext = {
    customer: values.customer,
    company: values.company,
    ourContact: values.ourContact,
    mailing: { name: prepared.name, subject: null },
    link: { ...links, form: formLinksFor(prepared, values, keys, options.publicUrl) },
    ...(values.form ? { form: values.form } : {}),
  };
  const subject = renderTemplate(prepared.subject, context, "subject");
  context.mailing.subject = subject;
  const html = fillDocumentMarkers(
    fillTrackingMarkers(
      renderTemplate(prepared.html, context, "content"),
      options.publicUrl,
      keys,
      delivery.id,
    ),
    recipientLanguage(values.customer.language),
    subject,
  );
  const text = renderTemplate(prepared.text, context, "textContent");
  const contactDomain = values.ourContactEmail?.split("@")[1]?.toLowerCase();
  const fromContact =
    prepared.fromMode === "our-contact" &&
    values.ourContact &&
    contactDomain &&
    prepared.registeredDomains.has(contactDomain);
  return {
    returnPath: verpReturnPath(keys, delivery.id, prepared.bounceDomain),
    message: {
      from: fromContact
        ? { name: values.ourContact!.name ?? undefined, address: values.ourContactEmail! }
        : { name: prepared.from.name ?? undefined, address: prepared.from.address },
      ...(prepared.replyTo ? { replyTo: prepared.replyTo } : {}),
      to: { name: values.customer.name ?? undefined, address: delivery.email },
      subject: options.isTest ? `[TEST] ${subject}` : subject,
      html,
      text,
      attachments: prepared.attachments,
      messageId: delivery.messageId,
      listUnsubscribe: {
        url: links.unsubscribe,
        mailto: unsubscribeMailto(links, prepared.bounceDomain),
      },
      feedbackId: `${prepared.mailingId}:${options.isTest ? "test" : "mailing"}:utsend`,
      dkim: prepared.dkim,
    },
  };
}
