// The five steps of a mailing (SPEC §3) and what blocks sending, derived from the mailing's data. Pure.
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

export type Steps = {
  steps: Array<{ key: StepKey; state: StepState; problems: Problem[] }>;
  problems: Problem[];
  canSend: boolean;
};

export function mailingSteps(f: MailingFacts): Steps {
  const setup: Problem[] = [];
  if (!f.name.trim())
    setup.push({ step: "setup", code: "name", field: "name", message: "The mailing needs a name" });
  if (f.sendingAccountId === null)
    setup.push({
      step: "setup",
      code: "sending-account",
      field: "sendingAccountId",
      message: "Choose a sending account",
    });
  if (!f.subject?.trim())
    setup.push({ step: "setup", code: "subject", field: "subject", message: "Write a subject" });
  if (!f.fromAddress)
    setup.push({ step: "setup", code: "from", field: "fromAddress", message: "Give a from address" });
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
  for (const error of f.templateErrors)
    content.push({ step: "content", code: "template-error", field: "content", message: error });
  for (const variable of f.unknownVariables)
    content.push({
      step: "content",
      code: "unknown-variable",
      field: "content",
      message: `Unknown merge field [[${variable}]]`,
    });
  if (hasContent && !f.hasUnsubscribeLink)
    content.push({
      step: "content",
      code: "unsubscribe-link",
      field: "content",
      message: "Add the unsubscribe link [[link.unsubscribe]]: marketing must let people leave",
    });

  const recipients: Problem[] = [];
  if (!f.recipientsResolved || f.eligibleRecipients === 0)
    recipients.push({ step: "recipients", code: "no-recipients", message: "The mailing has no recipients" });

  const state = (problems: Problem[], started: boolean): StepState =>
    !started ? "not-started" : problems.length === 0 ? "complete" : "incomplete";
  const problems = [...setup, ...content, ...recipients];
  const steps: Steps["steps"] = [
    { key: "setup", state: state(setup, true), problems: setup },
    { key: "template", state: f.templateChosen || hasContent ? "complete" : "not-started", problems: [] },
    { key: "content", state: state(content, hasContent), problems: content },
    { key: "recipients", state: state(recipients, f.recipientsResolved), problems: recipients },
    { key: "confirm", state: problems.length === 0 ? "complete" : "incomplete", problems: [] },
  ];
  return { steps, problems, canSend: problems.length === 0 };
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
  const setup: Problem[] = [];
  if (!f.name.trim())
    setup.push({ step: "setup", code: "name", field: "name", message: "The mailing needs a name" });
  if (f.sendingAccountId === null)
    setup.push({
      step: "setup",
      code: "sending-account",
      field: "sendingAccountId",
      message: "Choose a sending account",
    });
  else if (!f.accountSendsSms)
    setup.push({
      step: "setup",
      code: "sending-account-kind",
      field: "sendingAccountId",
      message: "Choose an SMS sending account (SMPP, Twilio or the SMS outbox)",
    });
  if (!f.sender?.trim())
    setup.push({ step: "setup", code: "sender", field: "smsSender", message: "Give a sender" });
  else if (f.senderProblem)
    setup.push({ step: "setup", code: "sender", field: "smsSender", message: f.senderProblem });

  const hasContent = Boolean(f.text?.trim());
  const content: Problem[] = [];
  if (!hasContent)
    content.push({ step: "content", code: "content", field: "smsText", message: "Write the text" });
  for (const error of f.templateErrors)
    content.push({ step: "content", code: "template-error", field: "smsText", message: error });
  for (const variable of f.unknownVariables)
    content.push({
      step: "content",
      code: "unknown-variable",
      field: "smsText",
      message: `Unknown merge field [[${variable}]]`,
    });

  const recipients: Problem[] = [];
  if (!f.recipientsResolved || f.eligibleRecipients === 0)
    recipients.push({ step: "recipients", code: "no-recipients", message: "The mailing has no recipients" });

  const state = (problems: Problem[], started: boolean): StepState =>
    !started ? "not-started" : problems.length === 0 ? "complete" : "incomplete";
  const problems = [...setup, ...content, ...recipients];
  return {
    steps: [
      { key: "setup", state: state(setup, true), problems: setup },
      // SMS has no templates yet: the step never holds the wizard back.
      { key: "template", state: "complete", problems: [] },
      { key: "content", state: state(content, hasContent), problems: content },
      { key: "recipients", state: state(recipients, f.recipientsResolved), problems: recipients },
      { key: "confirm", state: problems.length === 0 ? "complete" : "incomplete", problems: [] },
    ],
    problems,
    canSend: problems.length === 0,
  };
}
