// The letter the document benchmarks write: a letterhead with a logo and a body of about what a marketing letter
// holds. Its own module, since bench/documents.ts runs producers in child processes that must not import it.
import type { Letterhead } from "../src/documents/letter-pdf.ts";
import { solidPng } from "../test/helpers/png.ts";

export const LETTERHEAD: Letterhead = {
  companyName: "Fjordlys AS",
  addressLines: ["Storgata 1", "0155 Oslo"],
  orgNumber: "912 345 678",
  phone: "+47 22 33 44 55",
  web: "fjordlys.no",
  logo: solidPng(240, 80),
};

// About what a marketing letter holds: three paragraphs with bold and italic, a list of four, a signature.
export const BODY = (firstName: string) =>
  `<p>Hei ${firstName},</p><p>Vårsalget hos <strong>Fjordlys</strong> starter mandag, og som fast kunde får du ` +
  `<em>20 % rabatt</em> på alle kurs i keramikk, tre og tekstil fram til sommeren. Vi har satt opp nye kvelds-` +
  `kurs hver tirsdag og torsdag, og helgekurs for dem som vil lære mer på kort tid.</p><ul><li>Dreiing for ` +
  `nybegynnere, seks kvelder</li><li>Treskjæring med <b>Øystein Løvås</b></li><li>Veving og plantefarging</li>` +
  `<li>Åpent verksted lørdager</li></ul><p>Meld deg på på fjordlys.no eller ring oss. Vi gleder oss til å se ` +
  `deg igjen, og minner om at plassene fordeles etter hvert som påmeldingene kommer inn.</p>`;
