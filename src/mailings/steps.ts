// The five steps of a mailing (SPEC §3; four for a form response, which has no Recipients step) and what blocks sending, derived from the mailing's data. Pure.
export type StepKey = "setup" | "template" | "content" | "recipients" | "confirm";
export type StepState = "complete" | "incomplete" | "not-started";
export type Problem = { step: StepKey; code: string; message: string; field?: string };

export type MailingFacts = {
  name: string;
  sendingAccountId: number | null;
  subject: string | null;
  fromAddress: string | null;
  fromDomainRegistered: boolean;
  templateChosen: boolean;
  content: string | null;
  hasUnsubscribeLink: boolean;
  unknownVariables: string[];
  templateErrors: string[];
  recipientsResolved: boolean;
  eligibleRecipients: number;
};

/**
 * The Setup fields a mailing cannot do without, each with the problem it gives while empty. One table for the
 * server's steps and the wizard's live problem list (the web UI imports this file: it imports nothing).
 */
export const REQUIRED_SETUP_FIELDS = [
  {
    code: "name",
    field: "name",
    message: "The mailing needs a name",
    types: ["email", "sms", "document", "form"],
  },
  {
    code: "sending-account",
    field: "sendingAccountId",
    message: "Choose a sending account",
    types: ["email", "sms", "form"],
  },
  { code: "subject", field: "subject", message: "Write a subject", types: ["email", "form"] },
  { code: "from", field: "fromAddress", message: "Give a from address", types: ["email", "form"] },
  { code: "sender", field: "smsSender", message: "Give a sender", types: ["sms"] },
  { code: "form", field: "formId", message: "Choose the form this mailing answers", types: ["form"] },
] as const;

type RequiredCode = (typeof REQUIRED_SETUP_FIELDS)[number]["code"];

function required(code: RequiredCode): Problem {
  const r = REQUIRED_SETUP_FIELDS.find((f) => f.code === code)!;
  return { step: "setup", code: r.code, field: r.field, message: r.message };
}

const isEmpty = (value: unknown) => value === null || value === undefined || String(value).trim() === "";

/**
 * Setup's problems as the marketer types, before anything is saved: the server's last answer, less the "is required"
 * problems of fields now filled, plus those of fields now emptied. Other problems (an unregistered from domain, an
 * invalid sender) wait for the save that checks them.
 */
export function liveSetupProblems(
  saved: Problem[],
  values: Record<string, unknown>,
  type: "email" | "sms" | "document" | "form",
): Problem[] {
  const fields = REQUIRED_SETUP_FIELDS.filter((f) => (f.types as readonly string[]).includes(type));
  const filled = (p: Problem) =>
    fields.some((f) => f.code === p.code && f.message === p.message && !isEmpty(values[f.field]));
  const kept = saved.filter((p) => !filled(p));
  const emptied = fields
    .filter((f) => isEmpty(values[f.field]) && !kept.some((p) => p.code === f.code))
    .map((f) => required(f.code));
  return [...kept, ...emptied];
}

export type Steps = {
  steps: Array<{ key: StepKey; state: StepState; problems: Problem[] }>;
  problems: Problem[];
  canSend: boolean;
};

export function mailingSteps(f: MailingFacts): Steps {
  const { setup, content, hasContent } = emailParts(f);
  return assembleSteps(
    { setup, content, recipients: recipientProblems(f) },
    { template: f.templateChosen || hasContent, content: hasContent, recipients: f.recipientsResolved },
  );
}

export type FormMailingFacts = Omit<MailingFacts, "recipientsResolved" | "eligibleRecipients"> & {
  formId: number | null;
  /** The name of another live (sending or paused) form-response mailing of the same form, when there is one. */
  otherLiveMailing: string | null;
};

/**
 * SPEC §9: a form response is an e-mail (Setup, Template, Content as e-mail) plus the form it answers, and has no
 * Recipients step: each processed submission of the form is one recipient, added when it is processed.
 */
export function formMailingSteps(f: FormMailingFacts): Steps {
  const { setup, content, hasContent } = emailParts(f);
  if (f.formId === null) setup.push(required("form"));
  else if (f.otherLiveMailing !== null)
    setup.push({
      step: "setup",
      code: "form-taken",
      field: "formId",
      message: `The form is already answered by the mailing "${f.otherLiveMailing}"; stop that one first`,
    });
  const steps = assembleSteps(
    { setup, content, recipients: [] },
    { template: f.templateChosen || hasContent, content: hasContent, recipients: true },
  );
  return { ...steps, steps: steps.steps.filter((s) => s.key !== "recipients") };
}

function emailParts(f: Omit<MailingFacts, "recipientsResolved" | "eligibleRecipients">) {
  const setup = commonSetupProblems(f);
  if (!f.subject?.trim()) setup.push(required("subject"));
  if (!f.fromAddress) setup.push(required("from"));
  else if (!f.fromDomainRegistered)
    setup.push({
      step: "setup",
      code: "from-domain",
      field: "fromAddress",
      message: `The domain of ${f.fromAddress} is not a registered sending domain`,
    });

  const hasContent = Boolean(f.content?.trim());
  const content: Problem[] = [];
  if (!hasContent)
    content.push({ step: "content", code: "content", field: "content", message: "Write the content" });
  content.push(...templateProblems(f, "content"));
  if (hasContent && !f.hasUnsubscribeLink)
    content.push({
      step: "content",
      code: "unsubscribe-link",
      field: "content",
      message: "Add the unsubscribe link [[link.unsubscribe]]: marketing must let people leave",
    });
  return { setup, content, hasContent };
}

export type SmsMailingFacts = {
  name: string;
  sendingAccountId: number | null;
  /** The account sends SMS (smpp, twilio, sms-outbox). */
  accountSendsSms: boolean;
  sender: string | null;
  senderProblem: string | null;
  text: string | null;
  unknownVariables: string[];
  templateErrors: string[];
  recipientsResolved: boolean;
  eligibleRecipients: number;
};

/** SPEC §12: an SMS needs an SMS account, a valid sender and a text; no subject, from address or unsubscribe link. */
export function smsMailingSteps(f: SmsMailingFacts): Steps {
  const setup = commonSetupProblems(f);
  if (f.sendingAccountId !== null && !f.accountSendsSms)
    setup.push({
      step: "setup",
      code: "sending-account-kind",
      field: "sendingAccountId",
      message: "Choose an SMS sending account (SMPP, Twilio or the SMS outbox)",
    });
  if (!f.sender?.trim()) setup.push(required("sender"));
  else if (f.senderProblem)
    setup.push({ step: "setup", code: "sender", field: "smsSender", message: f.senderProblem });

  const hasContent = Boolean(f.text?.trim());
  const content: Problem[] = [];
  if (!hasContent)
    content.push({ step: "content", code: "content", field: "smsText", message: "Write the text" });
  content.push(...templateProblems(f, "smsText"));
  // A text message is short enough to write from scratch: starting from a template is offered, never required.
  return assembleSteps(
    { setup, content, recipients: recipientProblems(f) },
    { template: true, content: hasContent, recipients: f.recipientsResolved },
  );
}

export type DocumentMailingFacts = {
  name: string;
  source: "composed" | "word";
  /** The composed letter's body. */
  body: string | null;
  /** The uploaded Word template's file name. */
  templateName: string | null;
  unknownVariables: string[];
  templateErrors: string[];
  recipientsResolved: boolean;
  eligibleRecipients: number;
};

/** SPEC §13: a letter needs a body or a Word template; no sending account, subject or unsubscribe link. */
export function documentMailingSteps(f: DocumentMailingFacts): Steps {
  const setup: Problem[] = [];
  if (!f.name.trim()) setup.push(required("name"));
  const content: Problem[] = [];
  const hasContent = f.source === "word" ? f.templateName !== null : Boolean(f.body?.trim());
  if (!hasContent)
    content.push(
      f.source === "word"
        ? {
            step: "content",
            code: "document-template",
            field: "docTemplate",
            message: "Upload the Word template",
          }
        : { step: "content", code: "content", field: "content", message: "Write the letter" },
    );
  content.push(...templateProblems(f, f.source === "word" ? "docTemplate" : "content"));
  return assembleSteps(
    { setup, content, recipients: recipientProblems(f) },
    { template: true, content: hasContent, recipients: f.recipientsResolved },
  );
}

/** Setup problems every sent type shares: a name and a sending account. */
function commonSetupProblems(f: { name: string; sendingAccountId: number | null }): Problem[] {
  const setup: Problem[] = [];
  if (!f.name.trim()) setup.push(required("name"));
  if (f.sendingAccountId === null) setup.push(required("sending-account"));
  return setup;
}

/** The merge-field checker's findings, as Content problems on `field`. */
function templateProblems(
  f: { templateErrors: string[]; unknownVariables: string[] },
  field: string,
): Problem[] {
  return [
    ...f.templateErrors.map(
      (message): Problem => ({ step: "content", code: "template-error", field, message }),
    ),
    ...f.unknownVariables.map(
      (variable): Problem => ({
        step: "content",
        code: "unknown-variable",
        field,
        message: `Unknown merge field [[${variable}]]`,
      }),
    ),
  ];
}

function recipientProblems(f: { recipientsResolved: boolean; eligibleRecipients: number }): Problem[] {
  return !f.recipientsResolved || f.eligibleRecipients === 0
    ? [{ step: "recipients", code: "no-recipients", message: "The mailing has no recipients" }]
    : [];
}

/** The five steps from each step's problems; a step nobody has touched yet is not-started, not incomplete. */
function assembleSteps(
  parts: { setup: Problem[]; content: Problem[]; recipients: Problem[] },
  started: { template: boolean; content: boolean; recipients: boolean },
): Steps {
  const state = (problems: Problem[], begun: boolean): StepState =>
    !begun ? "not-started" : problems.length === 0 ? "complete" : "incomplete";
  const problems = [...parts.setup, ...parts.content, ...parts.recipients];
  return {
    steps: [
      { key: "setup", state: state(parts.setup, true), problems: parts.setup },
      { key: "template", state: started.template ? "complete" : "not-started", problems: [] },
      { key: "content", state: state(parts.content, started.content), problems: parts.content },
      { key: "recipients", state: state(parts.recipients, started.recipients), problems: parts.recipients },
      { key: "confirm", state: problems.length === 0 ? "complete" : "incomplete", problems: [] },
    ],
    problems,
    canSend: problems.length === 0,
  };
}
