// The message the e-mail builder's tests start from: Norwegian letters in names and subject, every header utsend
// writes itself.
import type { OutgoingMessage } from "./message.ts";

export function aMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    from: { name: "Sørlandet Idrettslag", address: "post@lag.example.no" },
    replyTo: "styret@lag.example.no",
    to: { name: "Åse Øvrebø", address: "ase@example.com" },
    subject: "Årsmøte på Ærøy – påmelding",
    html: "<p>Hei Åse!</p>\n<p>Velkommen til årsmøtet.</p>",
    text: "Hei Åse!\nVelkommen til årsmøtet.",
    messageId: "m12.r34.a1@lag.example.no",
    listUnsubscribe: {
      url: "https://utsend.example.no/u/m12r34a1tok",
      mailto: "mailto:unsub+m12r34a1tok@bounce.lag.example.no",
    },
    feedbackId: "m12:p3:newsletter:utsend",
    ...overrides,
  };
}
