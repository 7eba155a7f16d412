// The starter templates every installation has: six kinds of e-mail in Norwegian and English, written in MJML so
// they stay responsive, each with the unsubscribe and manage-subscriptions links in its footer. Pure: no I/O.

export const STARTER_KINDS = ["newsletter", "invitation", "offer", "follow-up", "welcome", "letter"] as const;
export type StarterKind = (typeof STARTER_KINDS)[number];
export type StarterLanguage = "nb" | "en";

export type StarterTemplate = {
  /** `<kind>-<language>`, e.g. `newsletter-nb`: stable, used by the API and as the mailing's template origin. */
  key: string;
  kind: StarterKind;
  language: StarterLanguage;
  name: string;
  subject: string;
  description: string;
  mjml: string;
};

type Words = {
  viewOnline: string;
  unsubscribe: string;
  subscriptions: string;
  why: string;
  greeting: string;
  regards: string;
  us: string;
};

const WORDS: Record<StarterLanguage, Words> = {
  nb: {
    viewOnline: "Vis i nettleser",
    unsubscribe: "Meld deg av",
    subscriptions: "Endre abonnementer",
    why: "Du får denne e-posten fordi du har sagt ja til å høre fra oss.",
    greeting: 'Hei [[customer.firstname | default: "der"]],',
    regards: "Vennlig hilsen",
    us: "oss",
  },
  en: {
    viewOnline: "View in browser",
    unsubscribe: "Unsubscribe",
    subscriptions: "Manage subscriptions",
    why: "You receive this e-mail because you agreed to hear from us.",
    greeting: 'Hi [[customer.firstname | default: "there"]],',
    regards: "Kind regards",
    us: "us",
  },
};

// Colours chosen for WCAG AA contrast on their backgrounds (the accessibility checks read them).
const INK = "#1f2933";
const MUTED = "#52606d";
const ACCENT = "#0b5cad";
const PAPER = "#f4f5f7";

function section(inner: string, background = "#ffffff"): string {
  return `    <mj-section background-color="${background}" padding="16px 24px">
${inner}
    </mj-section>`;
}

function column(inner: string): string {
  return `      <mj-column>
${inner}
      </mj-column>`;
}

const text = (html: string, attrs = "") => `        <mj-text${attrs}>${html}</mj-text>`;
const heading = (words: string) =>
  `        <mj-text font-size="26px" line-height="1.25" font-weight="700" color="${INK}">${words}</mj-text>`;
const button = (label: string, href = "https://www.example.com/") =>
  `        <mj-button href="${href}" background-color="${ACCENT}" color="#ffffff" border-radius="4px" font-weight="600">${label}</mj-button>`;
const divider = `        <mj-divider border-width="1px" border-color="#d9dde3" />`;
const spacer = `        <mj-spacer height="12px" />`;

function signature(w: Words): string {
  return text(
    `${w.regards}<br />[[ourContact.name | default: "${w.us}"]]<br /><span style="color:${MUTED}">[[ourContact.email]]</span>`,
  );
}

function layout(language: StarterLanguage, title: string, preview: string, body: string[]): string {
  const w = WORDS[language];
  const header = section(
    column(
      text(
        `<a href="[[link.viewOnline]]" style="color:${MUTED}">${w.viewOnline}</a>`,
        ` align="right" font-size="12px" color="${MUTED}"`,
      ),
    ),
    PAPER,
  );
  const footer = section(
    column(
      [
        text(w.why, ` align="center" font-size="12px" color="${MUTED}"`),
        text(
          `<a href="[[link.unsubscribe]]" style="color:${MUTED}">${w.unsubscribe}</a> · <a href="[[link.subscriptions]]" style="color:${MUTED}">${w.subscriptions}</a>`,
          ` align="center" font-size="12px" color="${MUTED}"`,
        ),
      ].join("\n"),
    ),
    PAPER,
  );
  return `<mjml lang="${language}">
  <mj-head>
    <mj-title>${title}</mj-title>
    <mj-preview>${preview}</mj-preview>
    <mj-attributes>
      <mj-all font-family="Helvetica, Arial, sans-serif" />
      <mj-text font-size="16px" line-height="1.5" color="${INK}" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="${PAPER}">
${header}
${body.join("\n")}
${footer}
  </mj-body>
</mjml>
`;
}

type Draft = {
  name: string;
  subject: string;
  description: string;
  preview: string;
  body: (w: Words) => string[];
};

const DRAFTS: Record<StarterKind, Record<StarterLanguage, Draft>> = {
  newsletter: {
    nb: {
      name: "Nyhetsbrev",
      subject: "Nytt fra oss denne måneden",
      description: "Overskrift, ingress og to saker side om side.",
      preview: "Det viktigste som har skjedd hos oss.",
      body: (w) => [
        section(
          column(
            [
              heading("Nytt fra oss"),
              text(w.greeting),
              text("Her er det viktigste som har skjedd hos oss siden sist."),
            ].join("\n"),
          ),
        ),
        section(
          [
            column(
              [
                text("<strong>Første sak</strong><br />Skriv et par setninger om saken."),
                button("Les mer"),
              ].join("\n"),
            ),
            column(
              [
                text("<strong>Andre sak</strong><br />Skriv et par setninger om saken."),
                button("Les mer"),
              ].join("\n"),
            ),
          ].join("\n"),
        ),
        section(column([divider, signature(w)].join("\n"))),
      ],
    },
    en: {
      name: "Newsletter",
      subject: "News from us this month",
      description: "Heading, introduction and two stories side by side.",
      preview: "The main things that happened with us.",
      body: (w) => [
        section(
          column(
            [
              heading("News from us"),
              text(w.greeting),
              text("Here is what has happened with us since last time."),
            ].join("\n"),
          ),
        ),
        section(
          [
            column(
              [
                text("<strong>First story</strong><br />Write a sentence or two about it."),
                button("Read more"),
              ].join("\n"),
            ),
            column(
              [
                text("<strong>Second story</strong><br />Write a sentence or two about it."),
                button("Read more"),
              ].join("\n"),
            ),
          ].join("\n"),
        ),
        section(column([divider, signature(w)].join("\n"))),
      ],
    },
  },
  invitation: {
    nb: {
      name: "Invitasjon til arrangement",
      subject: "Du er invitert",
      description: "Hva, når og hvor, og en knapp for påmelding.",
      preview: "Vi vil gjerne se deg.",
      body: (w) => [
        section(
          column(
            [
              heading("Du er invitert"),
              text(w.greeting),
              text("Vi inviterer til et arrangement og vil gjerne se deg der."),
            ].join("\n"),
          ),
        ),
        section(
          column(
            [
              text(
                "<strong>Når:</strong> dato og klokkeslett<br /><strong>Hvor:</strong> sted<br /><strong>Program:</strong> kort om innholdet",
              ),
              button("Meld meg på"),
              spacer,
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
    en: {
      name: "Event invitation",
      subject: "You are invited",
      description: "What, when and where, and a button to sign up.",
      preview: "We would love to see you.",
      body: (w) => [
        section(
          column(
            [
              heading("You are invited"),
              text(w.greeting),
              text("We are holding an event and would love to see you there."),
            ].join("\n"),
          ),
        ),
        section(
          column(
            [
              text(
                "<strong>When:</strong> date and time<br /><strong>Where:</strong> place<br /><strong>Programme:</strong> a line about it",
              ),
              button("Sign me up"),
              spacer,
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
  },
  offer: {
    nb: {
      name: "Tilbud",
      subject: "Et tilbud til deg",
      description: "Et tilbud med pris, frist og en tydelig knapp.",
      preview: "Gjelder en begrenset periode.",
      body: (w) => [
        section(
          column(
            [
              heading("Et tilbud til deg"),
              text(w.greeting),
              text("Som kunde hos oss får du et eget tilbud denne måneden."),
            ].join("\n"),
          ),
        ),
        section(
          column(
            [
              text(
                `<span style="font-size:22px;font-weight:700;color:${ACCENT}">20 % rabatt</span><br />Gjelder til og med dato.`,
                ' align="center"',
              ),
              button("Se tilbudet"),
              divider,
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
    en: {
      name: "Offer",
      subject: "An offer for you",
      description: "An offer with a price, a deadline and a clear button.",
      preview: "For a limited time.",
      body: (w) => [
        section(
          column(
            [
              heading("An offer for you"),
              text(w.greeting),
              text("As our customer you get an offer of your own this month."),
            ].join("\n"),
          ),
        ),
        section(
          column(
            [
              text(
                `<span style="font-size:22px;font-weight:700;color:${ACCENT}">20% off</span><br />Valid until date.`,
                ' align="center"',
              ),
              button("See the offer"),
              divider,
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
  },
  "follow-up": {
    nb: {
      name: "Oppfølging etter møte",
      subject: "Takk for møtet",
      description: "Takk for sist, det vi ble enige om og neste steg.",
      preview: "Det vi ble enige om.",
      body: (w) => [
        section(
          column(
            [
              heading("Takk for møtet"),
              text(w.greeting),
              text(
                'Takk for et godt møte med [[company.name | default: "dere"]]. Her er det vi ble enige om:',
              ),
              text("<ul><li>Første punkt</li><li>Andre punkt</li></ul>"),
              text("Neste steg: skriv hva som skjer videre, og når."),
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
    en: {
      name: "Follow-up after a meeting",
      subject: "Thank you for the meeting",
      description: "Thanks, what was agreed and the next step.",
      preview: "What we agreed.",
      body: (w) => [
        section(
          column(
            [
              heading("Thank you for the meeting"),
              text(w.greeting),
              text(
                'Thank you for a good meeting with [[company.name | default: "you"]]. Here is what we agreed:',
              ),
              text("<ul><li>First point</li><li>Second point</li></ul>"),
              text("Next step: write what happens next, and when."),
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
  },
  welcome: {
    nb: {
      name: "Velkommen",
      subject: "Velkommen som abonnent",
      description: "Velkommen, hva mottakeren kan vente seg, og en knapp.",
      preview: "Hyggelig at du vil høre fra oss.",
      body: (w) => [
        section(
          column(
            [
              heading("Velkommen!"),
              text(w.greeting),
              text("Hyggelig at du vil høre fra oss. Du får nyheter og tilbud omtrent én gang i måneden."),
              button("Besøk nettsiden vår"),
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
    en: {
      name: "Welcome",
      subject: "Welcome aboard",
      description: "A welcome, what the recipient can expect, and a button.",
      preview: "Glad you want to hear from us.",
      body: (w) => [
        section(
          column(
            [
              heading("Welcome!"),
              text(w.greeting),
              text("We are glad you want to hear from us. You will get news and offers about once a month."),
              button("Visit our website"),
              signature(w),
            ].join("\n"),
          ),
        ),
      ],
    },
  },
  letter: {
    nb: {
      name: "Enkelt brev",
      subject: "[[mailing.name]]",
      description: "Bare tekst, som et vanlig brev.",
      preview: "",
      body: (w) => [section(column([text(w.greeting), text("Skriv brevet her."), signature(w)].join("\n")))],
    },
    en: {
      name: "Plain letter",
      subject: "[[mailing.name]]",
      description: "Just text, like an ordinary letter.",
      preview: "",
      body: (w) => [
        section(column([text(w.greeting), text("Write your letter here."), signature(w)].join("\n"))),
      ],
    },
  },
};

/** All twelve, Norwegian first, in the order of STARTER_KINDS. */
export const STARTER_TEMPLATES: readonly StarterTemplate[] = (["nb", "en"] as const).flatMap((language) =>
  STARTER_KINDS.map((kind) => {
    const draft = DRAFTS[kind][language];
    return {
      key: `${kind}-${language}`,
      kind,
      language,
      name: draft.name,
      subject: draft.subject,
      description: draft.description,
      mjml: layout(language, draft.name, draft.preview, draft.body(WORDS[language])),
    };
  }),
);

export function starterTemplate(key: string): StarterTemplate | undefined {
  return STARTER_TEMPLATES.find((t) => t.key === key);
}
