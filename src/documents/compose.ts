// One recipient's letter from a document mailing (SPEC §13): the Setup texts and the body merged for them, the
// address block, the attention line by the mailing's rule, the date in their language, and the signature of their
// *our contact*, else the mailing's sender. Pure: the generator and the preview read the data and call this.
import {
  type CompiledTemplate,
  compileTemplate,
  type MergeContext,
  renderTemplate,
} from "../mailings/merge-fields.ts";
import type { RecipientValues } from "../mailings/merge-values.ts";
import { parseLetterBody } from "./letter-body.ts";
import { formatLetterDate } from "./letter-date.ts";
import type { Letter } from "./letter-pdf.ts";

export type DocumentSetup = {
  mailingId: number;
  name: string;
  heading: string | null;
  attentionMode: "name-else-text" | "always-text";
  attentionText: string | null;
  ourRef: string | null;
  /** The composed letter's body (a small HTML subset); null for a Word template. */
  body: string | null;
  /** Who signs when a recipient has no *our contact*: the user who made the mailing. */
  sender: { name: string; email: string | null } | null;
  /** The project linked in Setup, for `[[project.*]]`. */
  project: { name: string; description: string | null } | null;
};

export type PreparedDocument = {
  setup: DocumentSetup;
  heading: CompiledTemplate | null;
  attentionText: CompiledTemplate | null;
  ourRef: CompiledTemplate | null;
  body: CompiledTemplate | null;
};

const compiled = (source: string | null, mode: "text" | "html", field: string) =>
  source?.trim() ? compileTemplate(source, mode, { field }) : null;

/** Compiles once per mailing; throws VALIDATION_FAILED naming the field of a syntax error. */
export function prepareDocument(setup: DocumentSetup): PreparedDocument {
  return {
    setup,
    heading: compiled(setup.heading, "text", "docHeading"),
    attentionText: compiled(setup.attentionText, "text", "docAttentionText"),
    ourRef: compiled(setup.ourRef, "text", "docOurRef"),
    body: compiled(setup.body, "html", "content"),
  };
}

export type LetterRecipient = {
  /** The address block's lines, as resolved onto the recipient list. */
  addressLines: string[];
  /** The letter goes to the company's address (the attention line then names the person). */
  toCompany: boolean;
  values: RecipientValues;
};

const WORDS = {
  nb: { attention: "Att.:", closing: "Med vennlig hilsen" },
  en: { attention: "Attn.:", closing: "Kind regards" },
} as const;

/** The letter's language: English for a person whose language is English, else Norwegian (the default). */
export function letterLanguage(language: string | null | undefined): "nb" | "en" {
  return language?.toLowerCase().startsWith("en") ? "en" : "nb";
}

/** Every merge value a letter's texts may use, `document.*` included (the Word template's context too). */
export function letterContext(
  prepared: PreparedDocument,
  recipient: LetterRecipient,
  now: Date,
): MergeContext {
  const language = letterLanguage(recipient.values.customer.language);
  const base: MergeContext = {
    ...recipient.values,
    mailing: { name: prepared.setup.name, subject: null },
    link: { unsubscribe: null, subscriptions: null, viewOnline: null },
    project: prepared.setup.project,
  };
  const text = (template: CompiledTemplate | null, field: string) =>
    template ? renderTemplate(template, base, field).trim() || null : null;
  const attentionText = text(prepared.attentionText, "docAttentionText");
  const name = recipient.values.customer.name;
  // "Name, else this text": the person's name when the letter goes to their company, else the text (if any).
  const attention =
    prepared.setup.attentionMode === "always-text"
      ? attentionText
      : recipient.toCompany && name
        ? name
        : attentionText;
  return {
    ...base,
    document: {
      address: recipient.addressLines.join("\n"),
      heading: text(prepared.heading, "docHeading"),
      attention,
      ourRef: text(prepared.ourRef, "docOurRef"),
      date: formatLetterDate(now, language),
    },
  };
}

export type ComposedLetter = { letter: Letter; problems: string[] };

export function composeLetter(
  prepared: PreparedDocument,
  recipient: LetterRecipient,
  now: Date,
): ComposedLetter {
  const context = letterContext(prepared, recipient, now);
  const language = letterLanguage(recipient.values.customer.language);
  const words = WORDS[language];
  const body = prepared.body
    ? parseLetterBody(renderTemplate(prepared.body, context, "content"))
    : { blocks: [], problems: [] };
  const contact = recipient.values.ourContact;
  const signer = contact?.name
    ? { name: contact.name, email: contact.email, phone: contact.phone }
    : prepared.setup.sender
      ? { name: prepared.setup.sender.name, email: prepared.setup.sender.email, phone: null }
      : null;
  const doc = context.document!;
  return {
    letter: {
      addressLines: recipient.addressLines,
      attention: doc.attention ? `${words.attention} ${doc.attention}` : null,
      date: doc.date!,
      ourRef: doc.ourRef,
      heading: doc.heading,
      body: body.blocks,
      signature: signer,
      closing: words.closing,
      language,
    },
    problems: body.problems,
  };
}
