// What the hosted page says to visitors, in Norwegian bokmål and English. Pure.
import type { AnswerProblem } from "./answers.ts";
import type { FormLanguage } from "./rules.ts";

export const TEXT = {
  nb: {
    required: "må fylles ut",
    submit: "Send inn",
    summaryTitle: "Noe må rettes før skjemaet kan sendes",
    honeypot: "La dette feltet stå tomt",
    thanksTitle: "Takk!",
    thanks: "Vi har mottatt svaret ditt.",
    closedTitle: "Skjemaet er stengt",
    closed: "Dette skjemaet tar ikke imot svar lenger. Takk for interessen!",
    notFoundTitle: "Fant ikke skjemaet",
    notFound: "Det finnes ikke noe skjema på denne adressen.",
    tryAgain: "Vi klarte ikke å ta imot svaret. Se over feltene og send inn på nytt.",
    powAgain:
      "Nettleseren din ble ikke ferdig med kontrollen mot automatiske innsendinger. Send inn på nytt.",
    powNoScript:
      "Dette skjemaet trenger JavaScript: nettleseren gjør en liten kontroll mot automatiske innsendinger når du sender inn. Slå på JavaScript og last inn siden på nytt.",
    tooManyTitle: "For mange innsendinger",
    tooMany: "Vi har fått mange svar herfra på kort tid. Vent litt og prøv igjen senere.",
    tooLargeTitle: "Svaret er for stort",
    tooLarge: "Svaret er for stort til å tas imot. Gå tilbake, gjør svarene kortere og send inn på nytt.",
    unreadableTitle: "Vi klarte ikke å lese svaret",
    unreadable: "Svaret kom fram i en form vi ikke kan lese. Gå tilbake til skjemaet og send inn på nytt.",
    problems: {
      required: "Fyll ut dette feltet.",
      email: "Skriv en gyldig e-postadresse, som navn@eksempel.no.",
      phone: "Skriv et gyldig telefonnummer.",
      date: "Skriv en gyldig dato (ÅÅÅÅ-MM-DD).",
      choice: "Velg et av alternativene.",
      "too-long": (limit: number) => `Svaret kan være på høyst ${limit} tegn.`,
      "no-mail-domain": "Domenet i e-postadressen tar ikke imot e-post.",
    },
  },
  en: {
    required: "required",
    submit: "Submit",
    summaryTitle: "There is a problem",
    honeypot: "Leave this field empty",
    thanksTitle: "Thank you!",
    thanks: "We have received your answer.",
    closedTitle: "This form is closed",
    closed: "This form no longer takes answers. Thank you for your interest!",
    notFoundTitle: "Form not found",
    notFound: "There is no form at this address.",
    tryAgain: "We could not take your answer. Please check the fields and submit again.",
    powAgain: "Your browser did not finish the check against automated submissions. Please submit again.",
    powNoScript:
      "This form needs JavaScript: your browser makes a small check against automated submissions when you submit. Please turn on JavaScript and reload the page.",
    tooManyTitle: "Too many submissions",
    tooMany: "We have received many answers from here in a short time. Please wait and try again later.",
    tooLargeTitle: "The answer is too large",
    tooLarge: "The answer is too large to be received. Go back, shorten your answers and submit again.",
    unreadableTitle: "We could not read your answer",
    unreadable: "Your answer arrived in a form we cannot read. Go back to the form and submit again.",
    problems: {
      required: "Fill in this field.",
      email: "Enter a valid e-mail address, like name@example.com.",
      phone: "Enter a valid phone number.",
      date: "Enter a valid date (YYYY-MM-DD).",
      choice: "Choose one of the options.",
      "too-long": (limit: number) => `The answer can be at most ${limit} characters.`,
      "no-mail-domain": "The e-mail address's domain does not receive mail.",
    },
  },
} as const;

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function problemText(problem: AnswerProblem, language: FormLanguage): string {
  const texts = TEXT[language].problems;
  if (problem.code === "too-long") return texts["too-long"](problem.limit ?? 0);
  return texts[problem.code];
}
