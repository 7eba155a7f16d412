// A person's data export as a page the person can read, in their language (nb, else en). Pure: the document in,
// HTML out, every value escaped.
import type { PersonExport } from "./person-data.ts";

type Words = Record<
  | "title"
  | "intro"
  | "exportedAt"
  | "person"
  | "emails"
  | "interests"
  | "customFields"
  | "consents"
  | "subscriptions"
  | "consentHistory"
  | "selections"
  | "projects"
  | "deliveries"
  | "events"
  | "recipientRows"
  | "personImports"
  | "recipientImportRows"
  | "smsReceived"
  | "none"
  | "field"
  | "value",
  string
>;

const WORDS: Record<"nb" | "en", Words> = {
  nb: {
    title: "Dine opplysninger",
    intro: "Dette er alle opplysningene vi har lagret om deg.",
    exportedAt: "Hentet ut",
    person: "Person",
    emails: "E-postadresser",
    interests: "Interesser",
    customFields: "Egne felt",
    consents: "Samtykker",
    subscriptions: "Abonnementer",
    consentHistory: "Samtykkehistorikk",
    selections: "Utvalg",
    projects: "Prosjekter",
    deliveries: "Utsendelser til deg",
    events: "Hendelser",
    recipientRows: "Mottakerlister",
    personImports: "Importer",
    recipientImportRows: "Importerte mottakerrader",
    smsReceived: "SMS fra deg",
    none: "Ingen",
    field: "Felt",
    value: "Verdi",
  },
  en: {
    title: "Your data",
    intro: "This is all the data we keep about you.",
    exportedAt: "Exported",
    person: "Person",
    emails: "E-mail addresses",
    interests: "Interests",
    customFields: "Custom fields",
    consents: "Consents",
    subscriptions: "Subscriptions",
    consentHistory: "Consent history",
    selections: "Selections",
    projects: "Projects",
    deliveries: "Mailings sent to you",
    events: "Events",
    recipientRows: "Recipient lists",
    personImports: "Imports",
    recipientImportRows: "Imported recipient rows",
    smsReceived: "Text messages from you",
    none: "None",
    field: "Field",
    value: "Value",
  },
};

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const cell = (value: unknown) =>
  `<td>${typeof value === "object" && value !== null ? escapeHtml(JSON.stringify(value)) : escapeHtml(value)}</td>`;

/** A table of rows (objects); the columns are the first row's keys, as the JSON names them. */
function table(rows: Array<Record<string, unknown>>, none: string): string {
  if (rows.length === 0) return `<p>${escapeHtml(none)}</p>`;
  const columns = Object.keys(rows[0]!);
  return `<table><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${columns.map((c) => cell(r[c])).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

export function exportLanguage(language: string | null): "nb" | "en" {
  return language && /^(nb|nn|no)\b/.test(language) ? "nb" : "en";
}

export function renderExportHtml(data: PersonExport): string {
  const lang = exportLanguage(data.person.language);
  const w = WORDS[lang];
  const section = (title: string, body: string) => `<h2>${escapeHtml(title)}</h2>\n${body}`;
  const { company, ourContact, postalAddress, ...scalars } = data.person;
  const personRows = Object.entries({
    ...scalars,
    postalAddress:
      [
        postalAddress.street,
        [postalAddress.postcode, postalAddress.city].filter(Boolean).join(" "),
        postalAddress.country,
      ]
        .filter(Boolean)
        .join(", ") || null,
    company: company?.name ?? null,
    ourContact: ourContact ? `${ourContact.name} <${ourContact.email}>` : null,
  }).map(([field, value]) => ({ [w.field]: field, [w.value]: value }));
  const deliveries =
    data.deliveries.length === 0
      ? `<p>${escapeHtml(w.none)}</p>`
      : data.deliveries
          .map(
            (d) =>
              `<h3>${escapeHtml(d.mailing.name)}${d.mailing.subject ? ` — ${escapeHtml(d.mailing.subject)}` : ""}</h3>\n` +
              table(
                [
                  {
                    channel: d.channel,
                    address: d.address,
                    status: d.status,
                    sentAt: d.sentAt,
                    bounceKind: d.bounceKind,
                    reply: d.reply,
                  },
                ],
                w.none,
              ) +
              `<h4>${escapeHtml(w.events)}</h4>\n${table(d.events, w.none)}`,
          )
          .join("\n");
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(w.title)}: ${escapeHtml(data.person.fullName)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f2f2f2; }
</style>
</head>
<body>
<h1>${escapeHtml(w.title)}: ${escapeHtml(data.person.fullName)}</h1>
<p>${escapeHtml(w.intro)} ${escapeHtml(w.exportedAt)}: ${escapeHtml(data.exportedAt)}</p>
${section(w.person, table(personRows, w.none))}
${section(w.emails, table(data.emails, w.none))}
${section(
  w.interests,
  table(
    data.interests.map((name) => ({ name })),
    w.none,
  ),
)}
${section(w.customFields, table(data.customFields, w.none))}
${section(w.consents, table(data.consents, w.none))}
${section(w.subscriptions, table(data.subscriptions, w.none))}
${section(w.consentHistory, table(data.consentHistory, w.none))}
${section(w.selections, table(data.selections, w.none))}
${section(w.projects, table(data.projects, w.none))}
${section(w.deliveries, deliveries)}
${section(w.recipientRows, table(data.recipientRows, w.none))}
${section(w.personImports, table(data.imports.personImports, w.none))}
${section(w.recipientImportRows, table(data.imports.recipientImportRows, w.none))}
${section(w.smsReceived, table(data.smsReceived, w.none))}
</body>
</html>
`;
}
