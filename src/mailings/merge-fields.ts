// The merge-field engine: `[[ … ]]` / `[% … %]` templates on liquidjs, parsed once per mailing, rendered per recipient.
import {
  analyzeSync,
  Liquid,
  LiquidError,
  Output,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  toValueSync,
  type Variable,
} from "liquidjs";
import type { MailingType } from "../db/schema.ts";
import { type AppError, type FieldProblem, validationFailed } from "../shared/errors.ts";

export type RenderMode = "html" | "text" | "header" | "url";

type VariableDoc = { path: string; nb: string; en: string; types?: readonly MailingType[] };
export type MergeVariableGroup = {
  group: "customer" | "company" | "ourContact" | "mailing" | "link" | "form" | "document" | "project";
  nb: string;
  en: string;
  types: readonly MailingType[];
  variables: readonly VariableDoc[];
};

const ALL: readonly MailingType[] = ["email", "form", "sms", "document"];
const WITH_LINKS: readonly MailingType[] = ["email", "form"];

/** Every merge variable (SPEC §5), for the editor's insert menu and the unknown-variable check. */
export const MERGE_VARIABLES: readonly MergeVariableGroup[] = [
  {
    group: "customer",
    nb: "Mottaker",
    en: "Recipient",
    types: ALL,
    variables: [
      { path: "customer.id", nb: "Personens id i CRM", en: "The person's id in the CRM" },
      { path: "customer.name", nb: "Fullt navn", en: "Full name" },
      { path: "customer.firstname", nb: "Fornavn", en: "First name" },
      { path: "customer.middlename", nb: "Mellomnavn", en: "Middle name" },
      { path: "customer.lastname", nb: "Etternavn", en: "Last name" },
      {
        path: "customer.bestName",
        nb: "Fornavn, ellers fullt navn, ellers e-post",
        en: "First name, else full name, else e-mail",
      },
      {
        path: "customer.salutation",
        nb: "Fullt navn, eller e-post når navn mangler",
        en: "Full name, or the e-mail when there is no name",
      },
      { path: "customer.title", nb: "Stillingstittel", en: "Job title" },
      { path: "customer.mrmrs", nb: "Tiltale (herr/fru)", en: "Mr/Ms" },
      { path: "customer.email", nb: "E-postadresse", en: "E-mail address" },
      { path: "customer.cellphone", nb: "Mobilnummer", en: "Mobile number" },
      { path: "customer.phone", nb: "Telefon", en: "Phone" },
      { path: "customer.language", nb: "Språk (nb, en, …)", en: "Language (nb, en, …)" },
    ],
  },
  {
    group: "company",
    nb: "Firma",
    en: "Company",
    types: ALL,
    variables: [
      { path: "company.id", nb: "Firmaets id i CRM", en: "The company's id in the CRM" },
      { path: "company.name", nb: "Firmanavn", en: "Company name" },
      { path: "company.department", nb: "Avdeling", en: "Department" },
      { path: "company.address", nb: "Adresse", en: "Address" },
      { path: "company.domain", nb: "Domene", en: "Domain" },
      { path: "company.phone", nb: "Telefon", en: "Phone" },
      { path: "company.ourContact.name", nb: "Vår kontakt for firmaet: navn", en: "Our contact: name" },
      { path: "company.ourContact.email", nb: "Vår kontakt for firmaet: e-post", en: "Our contact: e-mail" },
      { path: "company.ourContact.phone", nb: "Vår kontakt for firmaet: telefon", en: "Our contact: phone" },
    ],
  },
  {
    group: "ourContact",
    nb: "Vår kontakt",
    en: "Our contact",
    types: ALL,
    variables: [
      { path: "ourContact.name", nb: "Navn", en: "Name" },
      { path: "ourContact.email", nb: "E-post", en: "E-mail" },
      { path: "ourContact.phone", nb: "Telefon", en: "Phone" },
    ],
  },
  {
    group: "mailing",
    nb: "Utsendelse",
    en: "Mailing",
    types: ALL,
    variables: [
      { path: "mailing.name", nb: "Utsendelsens navn", en: "The mailing's name" },
      { path: "mailing.subject", nb: "Emne", en: "Subject", types: WITH_LINKS },
    ],
  },
  {
    group: "link",
    nb: "Lenker",
    en: "Links",
    types: WITH_LINKS,
    variables: [
      { path: "link.unsubscribe", nb: "Avmeldingslenke", en: "Unsubscribe link" },
      { path: "link.subscriptions", nb: "Lenke til abonnementene", en: "Manage subscriptions link" },
      { path: "link.viewOnline", nb: "Vis i nettleser", en: "View online" },
    ],
  },
  {
    group: "form",
    nb: "Skjemasvar (form.<felt>)",
    en: "Form answers (form.<field>)",
    types: ["form"],
    variables: [
      {
        path: "form.receipt",
        nb: "Kvittering: alle svarene som en tabell",
        en: "Receipt: every answer as a table",
      },
    ],
  },
  {
    group: "document",
    nb: "Dokument",
    en: "Document",
    types: ["document"],
    variables: [
      {
        path: "document.address",
        nb: "Adresseblokken (linje for linje)",
        en: "The address block (line by line)",
      },
      { path: "document.heading", nb: "Overskrift", en: "Heading" },
      { path: "document.attention", nb: "Att.", en: "Attention" },
      { path: "document.ourRef", nb: "Vår referanse", en: "Our reference" },
      { path: "document.date", nb: "Dato", en: "Date" },
    ],
  },
  {
    // The project linked in Setup (SPEC §3: a document's optional project); empty when none is linked.
    group: "project",
    nb: "Prosjekt",
    en: "Project",
    types: ["document"],
    variables: [
      { path: "project.name", nb: "Prosjektets navn", en: "The project's name" },
      { path: "project.description", nb: "Prosjektets beskrivelse", en: "The project's description" },
    ],
  },
];

export type MergeValue = string | null;

/**
 * `[[form.receipt]]`: the one merge value that is markup. Its HTML is built from escaped labels and answers where it
 * is made (mailings/form-response.ts); the HTML engine prints it as is, every other mode (and any filter, which
 * reads it as a string) gets the text.
 */
export class FormReceipt {
  readonly html: string;
  readonly text: string;
  constructor(html: string, text: string) {
    this.html = html;
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

/** The HTML engine's escaping (the same characters as liquidjs's `escape`). */
export function escapeHtml(value: unknown): string {
  return (value == null ? "" : String(value)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function htmlOutput(value: unknown): string {
  return value instanceof FormReceipt ? value.html : escapeHtml(value);
}

function textOutput(value: unknown): string {
  return value instanceof FormReceipt ? value.text : value == null ? "" : String(value);
}
type Contact = { name: MergeValue; email: MergeValue; phone: MergeValue };
/** The values for one recipient; custom fields sit on `customer` under their key. */
export type MergeContext = {
  customer: {
    id: MergeValue;
    name: MergeValue;
    firstname: MergeValue;
    middlename: MergeValue;
    lastname: MergeValue;
    bestName: MergeValue;
    salutation: MergeValue;
    title: MergeValue;
    mrmrs: MergeValue;
    email: MergeValue;
    cellphone: MergeValue;
    phone: MergeValue;
    language: MergeValue;
    [customFieldKey: string]: MergeValue;
  };
  company: {
    id: MergeValue;
    name: MergeValue;
    department: MergeValue;
    address: MergeValue;
    domain: MergeValue;
    phone: MergeValue;
    ourContact: Contact | null;
  } | null;
  ourContact: Contact | null;
  mailing: { name: MergeValue; subject: MergeValue };
  link: {
    unsubscribe: MergeValue;
    subscriptions: MergeValue;
    viewOnline: MergeValue;
    /** `[[link.form.<slug>]]`: the hosted form with the person's signed pre-fill token, by slug. */
    form?: Record<string, MergeValue>;
  };
  /** Form response: each answer by field key, and `receipt` (every answer: a table in HTML, lines in text). */
  form?: Record<string, MergeValue | FormReceipt>;
  /** Documents: the project linked in Setup, null when none is. */
  project?: { name: MergeValue; description: MergeValue } | null;
  document?: {
    address: MergeValue;
    heading: MergeValue;
    attention: MergeValue;
    ourRef: MergeValue;
    date: MergeValue;
  };
};

type NameParts = {
  name?: MergeValue;
  firstname?: MergeValue;
  middlename?: MergeValue;
  lastname?: MergeValue;
  email?: MergeValue;
};

/** The full name from its parts; imported people without a CRM record carry only `name`. */
export function fullName(p: NameParts): string | null {
  const joined = [p.firstname, p.middlename, p.lastname]
    .map((s) => s?.trim())
    .filter(Boolean)
    .join(" ");
  return joined || p.name?.trim() || null;
}

/** SPEC §5: the full name, or the e-mail when there is no name. */
export function salutation(p: NameParts): string | null {
  return fullName(p) ?? (p.email?.trim() || null);
}

/** *Decision*: the most personal thing we can call someone: first name, else full name, else the e-mail. */
export function bestName(p: NameParts): string | null {
  return p.firstname?.trim() || salutation(p);
}

// Mailings need output, fallbacks and conditions; loops, assignment and partials only add ways to run away.
const ALLOWED_TAGS = new Set(["if", "unless", "case", "comment", "#", "raw"]);
// `raw` (the filter) is left out on purpose: it is the escape hatch that would let a value reach HTML unescaped.
const ALLOWED_FILTERS = new Set([
  "default",
  "upcase",
  "downcase",
  "capitalize",
  "strip",
  "lstrip",
  "rstrip",
  "strip_newlines",
  "truncate",
  "truncatewords",
  "append",
  "prepend",
  "replace",
  "replace_first",
  "remove",
  "remove_first",
  "slice",
  "url_encode",
  "plus",
  "minus",
  "times",
  "divided_by",
  "round",
]);

export type TemplateLimits = {
  /** Characters of template source. */
  sourceLength: number;
  /** Depth of nested if/unless/case. */
  nesting: number;
  /**
   * Milliseconds for one recipient's render: a ceiling for runaway templates, measured on the wall clock, so it is
   * far above a real render (well under 1 ms) lest a busy machine's pauses fail deliveries that would render.
   */
  renderMs: number;
  /** Characters allocated by filters in one render. */
  memory: number;
};
export const DEFAULT_LIMITS: TemplateLimits = {
  sourceLength: 1_000_000,
  nesting: 25,
  renderMs: 2_000,
  memory: 10_000_000,
};

class NotAllowedTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`the tag "${token.name}" is not allowed in mailings (use if, unless or case)`);
  }
  render(): void {}
}

// C0 and C1 controls (CR, LF, TAB, NUL, NEL, …) and the Unicode line and paragraph separators.
const HEADER_BREAKERS = /[\p{Cc}\u2028\u2029]+/gu;

function headerSafe(value: unknown): string {
  return (value == null ? "" : String(value)).replace(HEADER_BREAKERS, " ");
}

// A value merged into a link's URL is one URL component: `&`, `#`, `/` in a name cannot change where it points.
function urlComponent(value: unknown): string {
  return encodeURIComponent(value == null ? "" : String(value));
}

function newEngine(mode: RenderMode, limits: TemplateLimits): Liquid {
  const engine = new Liquid({
    outputDelimiterLeft: "[[",
    outputDelimiterRight: "]]",
    tagDelimiterLeft: "[%",
    tagDelimiterRight: "%]",
    strictFilters: true,
    ownPropertyOnly: true,
    // An empty value must read as false: `[% if customer.title %]` with title "" takes the else branch.
    jsTruthy: true,
    outputEscape:
      mode === "html"
        ? htmlOutput
        : mode === "header"
          ? headerSafe
          : mode === "url"
            ? urlComponent
            : textOutput,
    parseLimit: limits.sourceLength,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memory,
    templates: {},
  });
  for (const name of Object.keys(engine.tags)) {
    if (!ALLOWED_TAGS.has(name)) engine.registerTag(name, NotAllowedTag);
  }
  for (const name of Object.keys(engine.filters)) {
    if (!ALLOWED_FILTERS.has(name)) engine.unregisterFilter(name);
  }
  return engine;
}

/** A template that cannot be used: wrong syntax (a tag or filter not allowed too), or over a limit of size or work. */
export type TemplateProblem = {
  message: string;
  line?: number;
  column?: number;
  kind?: "template-syntax" | "template-limit";
};

function lineAndColumn(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}

// Checked before parsing: liquidjs parses nesting by recursion and would overflow the stack first.
function nestingProblem(source: string, max: number): TemplateProblem | null {
  const tags = /\[%-?\s*(if|unless|case|endif|endunless|endcase)\b/g;
  let depth = 0;
  for (const match of source.matchAll(tags)) {
    depth += match[1]?.startsWith("end") ? -1 : 1;
    if (depth > max)
      return {
        message: `conditions are nested more than ${max} deep`,
        kind: "template-limit",
        ...lineAndColumn(source, match.index),
      };
  }
  return null;
}

const LIMIT_ERRORS =
  /^(parse length limit exceeded|template render limit exceeded|memory alloc limit exceeded|Maximum call stack size exceeded)$/;

function problemOf(error: unknown): TemplateProblem {
  const original = (error instanceof Error ? error.message : String(error)).replace(
    /, line:\d+, col:\d+$/,
    "",
  );
  const kind = LIMIT_ERRORS.test(original) ? "template-limit" : "template-syntax";
  const message = original
    .replace(/, line:\d+, col:\d+$/, "")
    .replace(/^undefined filter: (\S+)/, 'the filter "$1" does not exist or is not allowed in mailings')
    .replace(/^parse length limit exceeded$/, "the template is too long")
    .replace(/^template render limit exceeded$/, "the template took too long to render")
    .replace(/^memory alloc limit exceeded$/, "the template builds too much text")
    .replace(/^Maximum call stack size exceeded$/, "the template is nested too deeply");
  const position = error instanceof LiquidError ? error.token?.getPosition() : undefined;
  return position ? { message, kind, line: position[0], column: position[1] } : { message, kind };
}

function templateError(field: string, problem: TemplateProblem): AppError {
  const where = problem.line ? `line ${problem.line}, column ${problem.column}: ` : "";
  const position = problem.line ? { line: problem.line, column: problem.column } : {};
  const fields: FieldProblem[] = [
    {
      field,
      message: `${where}${problem.message}`,
      kind: problem.kind ?? "template-syntax",
      ...(problem.line ? { params: position } : {}),
    },
  ];
  return validationFailed(`Invalid template in ${field}: ${where}${problem.message}`, fields, position);
}

function parse(engine: Liquid, source: string, limits: TemplateLimits): Template[] | TemplateProblem {
  if (source.length > limits.sourceLength)
    return {
      message: `the template is longer than ${limits.sourceLength} characters`,
      kind: "template-limit",
    };
  const nesting = nestingProblem(source, limits.nesting);
  if (nesting) return nesting;
  try {
    return engine.parse(source);
  } catch (error) {
    return problemOf(error);
  }
}

function pathOf(segments: ReadonlyArray<string | number | Variable>): string {
  let path = "";
  for (const s of segments) {
    if (typeof s === "string") path += path ? `.${s}` : s;
    else if (typeof s === "number") path += `[${s}]`;
    else path += `[${pathOf(s.segments)}]`;
  }
  return path;
}

function variablesIn(templates: Template[]): Variable[] {
  return Object.values(analyzeSync(templates, { partials: false }).globals).flat();
}

/** A variable printed without a `default` and not inside a condition on itself: an empty value shows as a gap. */
type Unguarded = { path: string; segments: string[] };

function unguardedOutputs(templates: Template[], guards: ReadonlySet<string>, found: Unguarded[]): void {
  for (const tpl of templates) {
    if (tpl instanceof Output) {
      if (tpl.value.filters.some((f) => f.name === "default")) continue;
      for (const v of variablesIn([tpl])) {
        const path = pathOf(v.segments);
        if (guards.has(path) || !v.segments.every((s) => typeof s === "string")) continue;
        found.push({ path, segments: v.segments as string[] });
      }
    } else if (tpl.children && tpl.arguments) {
      const args = tpl.arguments.bind(tpl);
      const conditionVars = variablesIn([{ token: tpl.token, render() {}, arguments: args }]);
      const inner = new Set([...guards, ...conditionVars.map((v) => pathOf(v.segments))]);
      unguardedOutputs(toValueSync(tpl.children(false, true)), inner, found);
    }
  }
}

export type CompiledTemplate = {
  readonly mode: RenderMode;
  /** Every variable used, in order of first use, including those only in conditions. */
  readonly variables: readonly string[];
  readonly unguarded: readonly Unguarded[];
  readonly engine: Liquid;
  readonly templates: Template[];
};

export type CompileOptions = { field?: string; limits?: Partial<TemplateLimits> };

/** Parses once per mailing; throws VALIDATION_FAILED with the line and column of a syntax error. */
export function compileTemplate(
  source: string,
  mode: RenderMode,
  options: CompileOptions = {},
): CompiledTemplate {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const engine = newEngine(mode, limits);
  const templates = parse(engine, source, limits);
  if (!Array.isArray(templates)) throw templateError(options.field ?? "content", templates);
  const variables = [...new Set(variablesIn(templates).map((v) => pathOf(v.segments)))];
  const found: Unguarded[] = [];
  unguardedOutputs(templates, new Set(), found);
  const unguarded = [...new Map(found.map((u) => [u.path, u])).values()];
  return { mode, variables, unguarded, engine, templates };
}

/** Renders for one recipient. html: values HTML-escaped; text: raw; header: one line, no control characters. */
export function renderTemplate(compiled: CompiledTemplate, context: MergeContext, field = "content"): string {
  let output: string;
  try {
    output = compiled.engine.renderSync(compiled.templates, context);
  } catch (error) {
    throw templateError(field, problemOf(error));
  }
  // Header mode folds to one line: control characters become spaces and runs of white space one space.
  return compiled.mode === "header"
    ? output.replace(HEADER_BREAKERS, " ").replace(/\s+/g, " ").trim()
    : output;
}

function knownPaths(type: MailingType, customFieldKeys: readonly string[]): Set<string> {
  const known = new Set<string>();
  for (const group of MERGE_VARIABLES) {
    if (!group.types.includes(type)) continue;
    known.add(group.group);
    for (const v of group.variables) {
      if (v.types && !v.types.includes(type)) continue;
      known.add(v.path);
      // Parents such as `company.ourContact` are known so that `[% if company.ourContact %]` is fine.
      const parts = v.path.split(".");
      for (let i = 1; i < parts.length; i++) known.add(parts.slice(0, i).join("."));
    }
  }
  for (const key of customFieldKeys) known.add(`customer.${key}`);
  return known;
}

export type CheckOptions = {
  customFieldKeys: readonly string[];
  allowed?: MailingType;
  /** For form response mailings: the form's field keys; without them any `form.<key>` is accepted. */
  formFieldKeys?: readonly string[];
  /** The slugs of this installation's forms, for `link.form.<slug>`; without them every `link.form.*` is unknown. */
  formSlugs?: readonly string[];
  limits?: Partial<TemplateLimits>;
};
export type TemplateCheck = { errors: TemplateProblem[]; unknownVariables: string[]; variables: string[] };

/** Syntax errors with their position, the variables used and those that do not exist for this mailing type. */
export function checkTemplate(source: string, options: CheckOptions): TemplateCheck {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const templates = parse(newEngine("text", limits), source, limits);
  if (!Array.isArray(templates)) return { errors: [templates], unknownVariables: [], variables: [] };
  const type = options.allowed ?? "email";
  const known = knownPaths(type, options.customFieldKeys);
  const formKeys = options.formFieldKeys && new Set(options.formFieldKeys);
  const slugs = new Set(known.has("link") ? (options.formSlugs ?? []) : []);
  const variables: string[] = [];
  const unknownVariables: string[] = [];
  for (const v of variablesIn(templates)) {
    const path = pathOf(v.segments);
    if (variables.includes(path)) continue;
    variables.push(path);
    const [root, key, ...rest] = v.segments;
    const isForm =
      type === "form" &&
      root === "form" &&
      typeof key === "string" &&
      rest.length === 0 &&
      (!formKeys || formKeys.has(key));
    const formLink = formLinkSlug(path);
    const isFormLink = formLink !== null && slugs.has(formLink);
    if (!known.has(path) && !isForm && !isFormLink) unknownVariables.push(path);
  }
  return { errors: [], unknownVariables, variables };
}

/** The slug of a `link.form.<slug>` path, else null. */
export function formLinkSlug(path: string): string | null {
  const match = /^link\.form\.([a-z0-9-]+)$/.exec(path);
  return match ? match[1]! : null;
}

/** The slugs of every `[[link.form.<slug>]]` the compiled templates use. */
export function formLinkSlugs(templates: readonly CompiledTemplate[]): string[] {
  const slugs = new Set<string>();
  for (const t of templates)
    for (const path of t.variables) {
      const slug = formLinkSlug(path);
      if (slug !== null) slugs.add(slug);
    }
  return [...slugs];
}

function lookup(context: MergeContext, segments: readonly string[]): unknown {
  let value: unknown = context;
  for (const s of segments) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, s)) return undefined;
    value = (value as Record<string, unknown>)[s];
  }
  return value;
}

/** Variables printed without a fallback that are empty for this recipient: the preview's warning. */
export function emptyVariables(template: CompiledTemplate | string, context: MergeContext): string[] {
  const compiled = typeof template === "string" ? compileTemplate(template, "text") : template;
  return compiled.unguarded
    .filter((u) => {
      const value = lookup(context, u.segments);
      return value == null || value === "";
    })
    .map((u) => u.path);
}
