// Mailings: create and edit (Setup, Template, Content, options), read with their steps and problems, link lists.

import type { Db } from "../db/connect.ts";
import type { MailingStatus, MailingType } from "../db/schema.ts";
import { isValidEmail } from "../persons/person-rules.ts";
import { failedCheckWarning } from "../sending-domains/dns-records.ts";
import { readLetterhead } from "../settings/letterhead.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, type FieldProblem, invalid, missingReference, notFound } from "../shared/errors.ts";
import { smsSenderProblem } from "../sms/sender.ts";
import { sendingWindowState } from "../sms/window.ts";
import { type MailingAccessibilityWarning, mailingAccessibilityWarnings } from "./accessibility.ts";
import type { GoalCategory } from "./api-schemas.ts";
import { formFieldKeys } from "./form-response.ts";
import { isEditable } from "./lifecycle.ts";
import { checkTemplate } from "./merge-fields.ts";
import { recipientCounts } from "./recipients.ts";
import {
  documentMailingSteps,
  formMailingSteps,
  mailingSteps,
  type Steps,
  smsMailingSteps,
} from "./steps.ts";
import { CREATABLE_TYPES, SMS_ACCOUNT_KINDS } from "./words.ts";

export type MailingInput = {
  name?: string;
  type?: MailingType;
  sendingAccountId?: number | null;
  goalText?: string | null;
  goalCategory?: GoalCategory | null;
  folder?: string | null;
  selectionId?: number | null;
  projectId?: number | null;
  subscriptionTypeId?: number | null;
  subject?: string | null;
  fromName?: string | null;
  fromAddress?: string | null;
  fromMode?: "fixed" | "our-contact";
  replyTo?: string | null;
  contentFormat?: "html" | "mjml";
  content?: string | null;
  textContent?: string | null;
  trackLinks?: "all" | "registered" | "none";
  trackOpens?: boolean;
  utmSource?: string | null;
  utmCampaign?: string | null;
  smsSender?: string | null;
  smsText?: string | null;
  smsNormalize?: boolean;
  smsOptOutLine?: string | null;
  docHeading?: string | null;
  docAttentionMode?: "name-else-text" | "always-text";
  docAttentionText?: string | null;
  docOurRef?: string | null;
  docSource?: "composed" | "word";
  docOrder?: "list" | "postcode";
  docOddPages?: boolean;
  /** Form response: the form whose processed submissions the mailing answers. */
  formId?: number | null;
  options?: {
    overrideConsent?: boolean;
    onePerAddress?: boolean;
    refreshOnSend?: boolean;
    includeCompanies?: boolean;
    preferCompany?: boolean;
  };
};

export type Mailing = {
  id: number;
  name: string;
  type: MailingType;
  status: MailingStatus;
  sendingAccountId: number | null;
  goalText: string | null;
  goalCategory: GoalCategory | null;
  folder: string | null;
  selectionId: number | null;
  projectId: number | null;
  subscriptionTypeId: number | null;
  subject: string | null;
  fromName: string | null;
  fromAddress: string | null;
  fromMode: "fixed" | "our-contact";
  replyTo: string | null;
  contentFormat: "html" | "mjml";
  content: string | null;
  textContent: string | null;
  trackLinks: "all" | "registered" | "none";
  trackOpens: boolean;
  utmSource: string | null;
  utmCampaign: string | null;
  smsSender: string | null;
  smsText: string | null;
  smsNormalize: boolean;
  smsOptOutLine: string | null;
  docHeading: string | null;
  docAttentionMode: "name-else-text" | "always-text";
  docAttentionText: string | null;
  docOurRef: string | null;
  docSource: "composed" | "word";
  docOrder: "list" | "postcode";
  docOddPages: boolean;
  /** The uploaded Word template's file name (the file itself: GET /api/mailings/{id}/document-template). */
  docTemplateName: string | null;
  /** Form response: the form it answers. */
  formId: number | null;
  options: {
    overrideConsent: boolean;
    onePerAddress: boolean;
    refreshOnSend: boolean;
    includeCompanies: boolean;
    preferCompany: boolean;
  };
  scheduledAt: string | null;
  timeZone: string | null;
  recipientsResolvedAt: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type MailingWithSteps = Mailing & {
  /** SMS: whether the account's sending window is open now, else when it opens. */
  smsWindow: { open: boolean; opensAt: string | null } | null;
  steps: Steps["steps"];
  problems: Steps["problems"];
  warnings: string[];
  accessibilityWarnings: MailingAccessibilityWarning[];
  canSend: boolean;
  recipients: Awaited<ReturnType<typeof recipientCounts>>;
};

type Row = NonNullable<Awaited<ReturnType<typeof selectRow>>>;

function selectRow(db: Db, id: number) {
  return db.selectFrom("mailings").selectAll().where("id", "=", id).executeTakeFirst();
}

function toMailing(r: Row): Mailing {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    status: r.status,
    sendingAccountId: r.sending_account_id,
    goalText: r.goal_text,
    // Written only through MailingInput, whose schema admits nothing else.
    goalCategory: r.goal_category as GoalCategory | null,
    folder: r.folder,
    selectionId: r.selection_id,
    projectId: r.project_id,
    subscriptionTypeId: r.subscription_type_id,
    subject: r.subject,
    fromName: r.from_name,
    fromAddress: r.from_address,
    fromMode: r.from_mode,
    replyTo: r.reply_to,
    contentFormat: r.content_format,
    content: r.content,
    textContent: r.text_content,
    trackLinks: r.track_links,
    trackOpens: r.track_opens === 1,
    utmSource: r.utm_source,
    utmCampaign: r.utm_campaign,
    smsSender: r.sms_sender,
    smsText: r.sms_text,
    smsNormalize: r.sms_normalize === 1,
    smsOptOutLine: r.sms_opt_out_line,
    docHeading: r.doc_heading,
    docAttentionMode: r.doc_attention_mode ?? "name-else-text",
    docAttentionText: r.doc_attention_text,
    docOurRef: r.doc_our_ref,
    docSource: r.doc_source ?? "composed",
    docOrder: r.doc_order ?? "list",
    docOddPages: r.doc_odd_pages === 1,
    docTemplateName: r.doc_template_name,
    formId: r.form_id,
    options: {
      overrideConsent: r.opt_override_consent === 1,
      onePerAddress: r.opt_one_per_address === 1,
      refreshOnSend: r.opt_refresh_on_send === 1,
      includeCompanies: r.opt_include_companies === 1,
      preferCompany: r.opt_prefer_company === 1,
    },
    scheduledAt: r.scheduled_at,
    timeZone: r.time_zone,
    recipientsResolvedAt: r.recipients_resolved_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

// Line breaks and other control characters would let a value start a new header.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const HEADER_UNSAFE = /[\u0000-\u001f\u007f]/;
const flag = (value: boolean | undefined) => (value === undefined ? undefined : value ? 1 : 0);

async function columnsOf(db: Db, input: MailingInput, problems: FieldProblem[]) {
  for (const field of [
    "subject",
    "fromName",
    "name",
    "docHeading",
    "docAttentionText",
    "docOurRef",
  ] as const) {
    const value = input[field];
    if (typeof value === "string" && HEADER_UNSAFE.test(value))
      problems.push({
        field,
        message: "must not contain line breaks or control characters",
        kind: "one-line",
      });
  }
  for (const field of ["fromAddress", "replyTo"] as const) {
    const value = input[field];
    if (value && !isValidEmail(value.trim()))
      problems.push({
        field,
        message: `"${value}" is not a valid e-mail address`,
        kind: "format",
        params: { format: "email" },
      });
  }
  if (input.type !== undefined && !CREATABLE_TYPES.includes(input.type))
    problems.push({
      field: "type",
      message: `${input.type} mailings cannot be created in this version; choose ${CREATABLE_TYPES.join(" or ")}`,
      kind: "enum",
      params: { values: CREATABLE_TYPES.join(", ") },
    });
  if (input.smsSender?.trim()) {
    const problem = smsSenderProblem(input.smsSender.trim());
    if (problem) problems.push({ field: "smsSender", message: problem, kind: "not-an-sms-sender" });
  }
  if (typeof input.smsOptOutLine === "string" && HEADER_UNSAFE.test(input.smsOptOutLine))
    problems.push({ field: "smsOptOutLine", message: "must be one line", kind: "one-line" });
  if (input.name !== undefined && !input.name.trim())
    problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  const references = [
    ["sendingAccountId", "sending_accounts", "sending account"],
    ["selectionId", "selections", "selection"],
    ["projectId", "projects", "project"],
    ["subscriptionTypeId", "subscription_types", "subscription type"],
    ["formId", "forms", "form"],
  ] as const;
  if (problems.length > 0) throw invalid(problems);
  for (const [field, table, what] of references) {
    const id = input[field];
    if (id == null) continue;
    const found = await db.selectFrom(table).select("id").where("id", "=", id).executeTakeFirst();
    if (!found) throw missingReference(field, what, id);
  }
  const o = input.options ?? {};
  const columns = {
    name: input.name?.trim(),
    type: input.type,
    sending_account_id: input.sendingAccountId,
    goal_text: input.goalText,
    goal_category: input.goalCategory,
    folder: input.folder,
    selection_id: input.selectionId,
    project_id: input.projectId,
    subscription_type_id: input.subscriptionTypeId,
    subject: input.subject,
    from_name: input.fromName,
    from_address: input.fromAddress?.trim(),
    from_mode: input.fromMode,
    reply_to: input.replyTo?.trim(),
    content_format: input.contentFormat,
    content: input.content,
    text_content: input.textContent,
    track_links: input.trackLinks,
    track_opens: flag(input.trackOpens),
    utm_source: input.utmSource,
    utm_campaign: input.utmCampaign,
    sms_sender: input.smsSender === undefined ? undefined : input.smsSender?.trim() || null,
    sms_text: input.smsText,
    sms_normalize: flag(input.smsNormalize),
    sms_opt_out_line: input.smsOptOutLine,
    doc_heading: input.docHeading,
    doc_attention_mode: input.docAttentionMode,
    doc_attention_text: input.docAttentionText,
    doc_our_ref: input.docOurRef,
    doc_source: input.docSource,
    doc_order: input.docOrder,
    doc_odd_pages: flag(input.docOddPages),
    form_id: input.formId,
    opt_override_consent: flag(o.overrideConsent),
    opt_one_per_address: flag(o.onePerAddress),
    opt_refresh_on_send: flag(o.refreshOnSend),
    opt_include_companies: flag(o.includeCompanies),
    opt_prefer_company: flag(o.preferCompany),
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)) as Partial<
    typeof columns
  >;
}

async function defaultAccountId(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom("sending_accounts")
    .select("id")
    .orderBy("is_default", "desc")
    .orderBy("id")
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function createMailing(
  db: Db,
  input: MailingInput,
  userId: number | null,
): Promise<MailingWithSteps> {
  const problems: FieldProblem[] = [];
  if (!input.name?.trim()) problems.push({ field: "name", message: "is required", kind: "required" });
  const columns = await columnsOf(db, input, problems);
  const now = isoNow();
  const row = await db
    .insertInto("mailings")
    .values({
      from_mode: "fixed",
      content_format: "html",
      track_links: "all",
      track_opens: 1,
      opt_override_consent: 0,
      opt_one_per_address: 1,
      opt_refresh_on_send: 1,
      opt_include_companies: 0,
      opt_prefer_company: 0,
      ...columns,
      name: columns.name!,
      type: columns.type ?? "email",
      status: "draft",
      // A letter is printed, not sent through an account; two people at one address each get theirs unless asked.
      ...(columns.type === "document"
        ? { sending_account_id: null, opt_one_per_address: columns.opt_one_per_address ?? 0 }
        : { sending_account_id: columns.sending_account_id ?? (await defaultAccountId(db)) }),
      created_by: userId,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return getMailing(db, row.id);
}

export async function requireEditable(db: Db, id: number): Promise<Mailing> {
  const row = await selectRow(db, id);
  if (!row) throw notFound("mailing", id);
  if (!isEditable(row.status))
    throw new AppError(
      "MAILING_NOT_EDITABLE",
      `mailing ${id} is ${row.status}; it can no longer be changed`,
      {
        status: row.status,
      },
    );
  return toMailing(row);
}

export async function updateMailing(db: Db, id: number, input: MailingInput): Promise<MailingWithSteps> {
  await requireEditable(db, id);
  const columns = await columnsOf(db, input, []);
  await db
    .updateTable("mailings")
    .set({ ...columns, updated_at: isoNow() })
    .where("id", "=", id)
    .where("status", "in", ["draft", "scheduled"])
    .execute();
  return getMailing(db, id);
}

export async function deleteMailing(db: Db, id: number): Promise<void> {
  const row = await selectRow(db, id);
  if (!row) throw notFound("mailing", id);
  if (row.status !== "draft" && row.status !== "cancelled")
    throw new AppError(
      "MAILING_NOT_EDITABLE",
      `mailing ${id} is ${row.status}; only drafts and cancelled mailings can be deleted`,
      {
        status: row.status,
      },
    );
  await db.deleteFrom("mailings").where("id", "=", id).execute();
}

export async function customFieldKeys(db: Db): Promise<string[]> {
  return (await db.selectFrom("custom_fields").select("key").execute()).map((r) => r.key);
}

/** The slugs of every form (any status), for the `link.form.<slug>` check; read here so mailings/ needs no forms/. */
export async function formSlugs(db: Db): Promise<string[]> {
  return (await db.selectFrom("forms").select("slug").execute()).map((r) => r.slug);
}

export type ContentCheck = { unknownVariables: string[]; errors: string[]; hasUnsubscribeLink: boolean };

/** Subject, HTML and text through the merge-field checker: unknown variables warn at save and block at Confirm. */
export function checkMailingContent(
  m: Pick<Mailing, "subject" | "content" | "textContent">,
  keys: string[],
  form?: { formFieldKeys: string[] },
  slugs: string[] = [],
): ContentCheck {
  const unknown = new Set<string>();
  const errors: string[] = [];
  const variables = new Set<string>();
  for (const [part, source] of [
    ["subject", m.subject],
    ["content", m.content],
    ["text", m.textContent],
  ] as const) {
    if (!source) continue;
    const result = checkTemplate(
      source,
      form
        ? { customFieldKeys: keys, allowed: "form", formFieldKeys: form.formFieldKeys, formSlugs: slugs }
        : { customFieldKeys: keys, formSlugs: slugs },
    );
    for (const v of result.unknownVariables) unknown.add(v);
    for (const v of result.variables) variables.add(v);
    for (const e of result.errors) errors.push(`${part}: ${e.message}${e.line ? ` (line ${e.line})` : ""}`);
  }
  return { unknownVariables: [...unknown], errors, hasUnsubscribeLink: variables.has("link.unsubscribe") };
}

export async function getMailing(db: Db, id: number): Promise<MailingWithSteps> {
  const row = await selectRow(db, id);
  if (!row) throw notFound("mailing", id);
  const mailing = toMailing(row);
  if (mailing.type === "sms") return getSmsMailing(db, mailing);
  if (mailing.type === "document") return getDocumentMailing(db, mailing, row.doc_template_unknown);
  const form = mailing.type === "form";
  // A form response knows form.<key> for the keys of its form's latest version (and form.receipt); without a form,
  // no form.* at all.
  const check = checkMailingContent(
    mailing,
    await customFieldKeys(db),
    form ? { formFieldKeys: await formFieldKeys(db, mailing.formId) } : undefined,
    await formSlugs(db),
  );
  const domain = mailing.fromAddress?.split("@")[1]?.toLowerCase();
  const sendingDomain = domain
    ? await db
        .selectFrom("sending_domains")
        .select(["id", "dns_status", "dns_result"])
        .where("domain", "=", domain)
        .executeTakeFirst()
    : undefined;
  const registered = Boolean(sendingDomain);
  // A failed DNS check warns but does not block: DNS may be fixed, or checked from a network that sees it wrongly.
  const dnsWarning =
    domain && sendingDomain
      ? failedCheckWarning(domain, sendingDomain.dns_status, sendingDomain.dns_result)
      : null;
  const counts = await recipientCounts(db, id);
  const facts = {
    name: mailing.name,
    sendingAccountId: mailing.sendingAccountId,
    subject: mailing.subject,
    fromAddress: mailing.fromAddress,
    fromDomainRegistered: registered,
    templateChosen: mailing.content !== null,
    content: mailing.content,
    hasUnsubscribeLink: check.hasUnsubscribeLink,
    unknownVariables: check.unknownVariables,
    templateErrors: check.errors,
  };
  const steps = form
    ? formMailingSteps({
        ...facts,
        formId: mailing.formId,
        otherLiveMailing: await otherLiveFormMailing(db, mailing),
      })
    : mailingSteps({
        ...facts,
        recipientsResolved: mailing.recipientsResolvedAt !== null,
        eligibleRecipients: counts.eligible,
      });
  return {
    ...mailing,
    ...steps,
    warnings: [
      ...check.unknownVariables.map((v) => `Unknown merge field [[${v}]]`),
      ...(dnsWarning ? [dnsWarning] : []),
    ],
    accessibilityWarnings: await mailingAccessibilityWarnings(db, mailing),
    recipients: counts,
    smsWindow: null,
  };
}

/** The name of another live (sending or paused) form-response mailing of the same form, or null. */
async function otherLiveFormMailing(db: Db, mailing: Mailing): Promise<string | null> {
  if (mailing.formId === null) return null;
  const other = await db
    .selectFrom("mailings")
    .select("name")
    .where("type", "=", "form")
    .where("form_id", "=", mailing.formId)
    .where("status", "in", ["sending", "paused"])
    .where("id", "<>", mailing.id)
    .executeTakeFirst();
  return other?.name ?? null;
}

async function getSmsMailing(db: Db, mailing: Mailing): Promise<MailingWithSteps> {
  const check = mailing.smsText
    ? checkTemplate(mailing.smsText, { customFieldKeys: await customFieldKeys(db) })
    : { unknownVariables: [], errors: [] };
  const account =
    mailing.sendingAccountId === null
      ? undefined
      : await db
          .selectFrom("sending_accounts")
          .select(["kind", "time_zone"])
          .where("id", "=", mailing.sendingAccountId)
          .executeTakeFirst();
  const counts = await recipientCounts(db, mailing.id);
  const steps = smsMailingSteps({
    name: mailing.name,
    sendingAccountId: mailing.sendingAccountId,
    accountSendsSms: (SMS_ACCOUNT_KINDS as readonly string[]).includes(account?.kind ?? ""),
    sender: mailing.smsSender,
    senderProblem: mailing.smsSender ? smsSenderProblem(mailing.smsSender) : null,
    text: mailing.smsText,
    unknownVariables: check.unknownVariables,
    templateErrors: check.errors.map((e) => `${e.message}${e.line ? ` (line ${e.line})` : ""}`),
    recipientsResolved: mailing.recipientsResolvedAt !== null,
    eligibleRecipients: counts.eligible,
  });
  const window = sendingWindowState(new Date(), account?.time_zone ?? undefined);
  return {
    ...mailing,
    ...steps,
    warnings: check.unknownVariables.map((v) => `Unknown merge field [[${v}]]`),
    accessibilityWarnings: [],
    recipients: counts,
    smsWindow: window.open
      ? { open: true, opensAt: null }
      : { open: false, opensAt: window.opensAt.toISOString() },
  };
}

async function getDocumentMailing(
  db: Db,
  mailing: Mailing,
  templateUnknown: string | null,
): Promise<MailingWithSteps> {
  const keys = await customFieldKeys(db);
  // The Word template's unknown fields count while the letter is made from it, not after switching to composing.
  const unknown = new Set<string>(
    mailing.docSource === "word" && templateUnknown ? (JSON.parse(templateUnknown) as string[]) : [],
  );
  const errors: string[] = [];
  const parts: Array<[string, string | null]> = [
    ["heading", mailing.docHeading],
    ["attention", mailing.docAttentionText],
    ["our reference", mailing.docOurRef],
  ];
  if (mailing.docSource === "composed") parts.push(["content", mailing.content]);
  for (const [part, source] of parts) {
    if (!source) continue;
    const result = checkTemplate(source, { customFieldKeys: keys, allowed: "document" });
    for (const v of result.unknownVariables) unknown.add(v);
    for (const e of result.errors) errors.push(`${part}: ${e.message}${e.line ? ` (line ${e.line})` : ""}`);
  }
  const counts = await recipientCounts(db, mailing.id);
  const steps = documentMailingSteps({
    name: mailing.name,
    source: mailing.docSource,
    body: mailing.content,
    templateName: mailing.docTemplateName,
    unknownVariables: [...unknown],
    templateErrors: errors,
    recipientsResolved: mailing.recipientsResolvedAt !== null,
    eligibleRecipients: counts.eligible,
  });
  const { companyName } = await readLetterhead(db);
  return {
    ...mailing,
    ...steps,
    warnings: [
      ...[...unknown].map((v) => `Unknown merge field [[${v}]]`),
      ...(mailing.docSource === "composed" && !companyName
        ? ["The company letterhead is empty: an admin fills it in under Settings → Letterhead"]
        : []),
    ],
    accessibilityWarnings: [],
    recipients: counts,
    smsWindow: null,
  };
}

export type MailingSummary = Pick<
  Mailing,
  | "id"
  | "name"
  | "type"
  | "status"
  | "subject"
  | "createdAt"
  | "updatedAt"
  | "scheduledAt"
  | "startedAt"
  | "finishedAt"
  | "selectionId"
  | "projectId"
>;

export async function listMailings(
  db: Db,
  filter: {
    q?: string | undefined;
    status?: MailingStatus | undefined;
    type?: MailingType | undefined;
    selectionId?: number | undefined;
    projectId?: number | undefined;
  },
  page: { limit: number; offset: number },
) {
  let base = db.selectFrom("mailings");
  if (filter.q)
    base = base.where((eb) => eb(eb.fn("lower", ["name"]), "like", `%${filter.q!.toLowerCase()}%`));
  if (filter.status) base = base.where("status", "=", filter.status);
  if (filter.type) base = base.where("type", "=", filter.type);
  if (filter.selectionId !== undefined) base = base.where("selection_id", "=", filter.selectionId);
  if (filter.projectId !== undefined) base = base.where("project_id", "=", filter.projectId);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base.selectAll().orderBy("id", "desc").limit(page.limit).offset(page.offset).execute(),
  ]);
  const items: MailingSummary[] = rows.map((r) => {
    const m = toMailing(r);
    return {
      id: m.id,
      name: m.name,
      type: m.type,
      status: m.status,
      subject: m.subject,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      scheduledAt: m.scheduledAt,
      startedAt: m.startedAt,
      finishedAt: m.finishedAt,
      selectionId: m.selectionId,
      projectId: m.projectId,
    };
  });
  return { items, total: Number(count.n), limit: page.limit, offset: page.offset };
}
