// The words processing shows visitors and users, in Norwegian bokmål and English: the double opt-in e-mail, the
// confirmation pages and the note to users about a submission.
export type Language = "nb" | "en";

export const TEXT = {
  nb: {
    confirmSubject: (form: string) => `Bekreft innsendingen din: ${form}`,
    confirmSentence: (form: string, hours: number) =>
      `Du har sendt inn skjemaet «${form}». Bekreft at det var deg ved å åpne lenken under innen ${hours} timer.`,
    confirmLink: "Bekreft",
    confirmIgnore: "Var det ikke deg, kan du se bort fra denne e-posten.",
    pageTitle: "Bekreft innsendingen",
    pageQuestion: (form: string) => `Trykk på knappen for å bekrefte innsendingen din til «${form}».`,
    pageButton: "Bekreft",
    confirmedTitle: "Takk!",
    confirmed: "Innsendingen din er bekreftet.",
    expiredTitle: "Lenken er utløpt",
    expired: "Bekreftelseslenken er ikke gyldig lenger. Send inn skjemaet på nytt, så får du en ny lenke.",
    formAgain: "Gå til skjemaet",
    unknownTitle: "Ugyldig lenke",
    unknown: "Lenken er ugyldig.",
    notifySubject: (form: string, waiting: boolean) =>
      waiting ? `Innsending til «${form}» venter på behandling` : `Ny innsending til «${form}» er behandlet`,
    notifyText: (form: string, waiting: boolean) =>
      waiting
        ? `En innsending til skjemaet «${form}» venter på manuell behandling.`
        : `En innsending til skjemaet «${form}» er behandlet.`,
    notifyOpen: "Åpne innsendingen",
  },
  en: {
    confirmSubject: (form: string) => `Confirm your submission: ${form}`,
    confirmSentence: (form: string, hours: number) =>
      `You submitted the form “${form}”. Confirm it was you by opening the link below within ${hours} hours.`,
    confirmLink: "Confirm",
    confirmIgnore: "If it was not you, you can ignore this e-mail.",
    pageTitle: "Confirm your submission",
    pageQuestion: (form: string) => `Press the button to confirm your submission to “${form}”.`,
    pageButton: "Confirm",
    confirmedTitle: "Thank you!",
    confirmed: "Your submission is confirmed.",
    expiredTitle: "The link has expired",
    expired: "This confirmation link is no longer valid. Submit the form again and you will get a new link.",
    formAgain: "Go to the form",
    unknownTitle: "Invalid link",
    unknown: "This link is not valid.",
    notifySubject: (form: string, waiting: boolean) =>
      waiting
        ? `A submission to “${form}” waits for processing`
        : `A new submission to “${form}” was processed`,
    notifyText: (form: string, waiting: boolean) =>
      waiting
        ? `A submission to the form “${form}” waits for manual processing.`
        : `A submission to the form “${form}” was processed.`,
    notifyOpen: "Open the submission",
  },
} as const;

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const languageOf = (value: string | null | undefined): Language => (value === "en" ? "en" : "nb");
