// The Word template offered for download: an A4 letter with the address block where a window envelope shows it
// (DIN 5008 form B: 45 mm from the top, 20 mm from the left, 85 × 45 mm), written as plain WordprocessingML.
import { ZipWriter } from "./zip.ts";

const MM = 1440 / 25.4; // twips per millimetre
const tw = (mm: number) => Math.round(mm * MM);

const WORDING = {
  nb: {
    company: "Firmanavn AS",
    companyLine: "Gateadresse 1 · 0150 Oslo · Telefon 22 00 00 00 · firma.no",
    date: "Dato",
    ourRef: "Vår ref.",
    greeting: "Hei [[customer.bestName]],",
    body: [
      'Skriv brevet her. Flettefelt står i doble hakeparenteser og fylles inn for hver mottaker, for eksempel [[company.name | default: "firmaet ditt"]].',
      "Adressefeltet over står der vinduskonvolutter (C5/C65) viser det; flytt det ikke.",
    ],
    closing: "Med vennlig hilsen",
  },
  en: {
    company: "Company Ltd",
    companyLine: "Street address 1 · 0150 Oslo · Phone +47 22 00 00 00 · company.com",
    date: "Date",
    ourRef: "Our ref.",
    greeting: "Dear [[customer.bestName]],",
    body: [
      'Write the letter here. Merge fields stand in double square brackets and are filled in for each recipient, for example [[company.name | default: "your company"]].',
      "The address block above sits where window envelopes (C5/C65) show it; do not move it.",
    ],
    closing: "Kind regards",
  },
} as const;

const NS =
  'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const run = (text: string, props = "") =>
  `<w:r>${props ? `<w:rPr>${props}</w:rPr>` : ""}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
const para = (runs: string, props = "") => `<w:p>${props ? `<w:pPr>${props}</w:pPr>` : ""}${runs}</w:p>`;
const BR = "<w:r><w:br/></w:r>";

function documentXml(w: (typeof WORDING)["nb" | "en"]): string {
  const top = 25; // mm: the letterhead lives in the header above this
  const address = para(
    [
      // The address block's lines as the recipient list resolved them (the person's own address, else the
      // company's with the company's name); a line break in the value is a line break in Word.
      run("[[document.address]][% if document.attention %]"),
      BR,
      run("Att.: [[document.attention]][% endif %]"),
    ].join(""),
    '<w:spacing w:before="0" w:after="0"/>',
  );
  const info = [
    para(run(`${w.date}: [[document.date]]`), '<w:spacing w:before="0" w:after="0"/>'),
    para(run(`${w.ourRef}: [[document.ourRef]]`), '<w:spacing w:before="0" w:after="0"/>'),
  ].join("");
  const cell = (width: number, content: string, margins = "") =>
    `<w:tc><w:tcPr><w:tcW w:w="${tw(width)}" w:type="dxa"/>${margins}</w:tcPr>${content}</w:tc>`;
  // The address keeps 5 mm inside the window on every side, so no glyph touches its edge (as the composed letter).
  const inset = `<w:tcMar><w:top w:w="${tw(5)}" w:type="dxa"/><w:left w:w="${tw(5)}" w:type="dxa"/><w:right w:w="${tw(5)}" w:type="dxa"/></w:tcMar>`;
  // In the flow, not floating (LibreOffice moves floating tables about): a spacer of exact height down to 45 mm, then a
  // table of exact height reaching 5 mm into the left margin, so the block starts 20 mm from the page's edge.
  const spacer = para(
    "",
    `<w:spacing w:before="0" w:after="0" w:line="${tw(45 - top)}" w:lineRule="exact"/>`,
  );
  const addressTable =
    `<w:tbl><w:tblPr><w:tblW w:w="${tw(170)}" w:type="dxa"/><w:tblInd w:w="${-tw(5)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>` +
    '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>' +
    `</w:tblPr><w:tblGrid><w:gridCol w:w="${tw(85)}"/><w:gridCol w:w="${tw(20)}"/><w:gridCol w:w="${tw(65)}"/></w:tblGrid>` +
    `<w:tr><w:trPr><w:trHeight w:val="${tw(45)}" w:hRule="exact"/></w:trPr>` +
    `${cell(85, address, inset)}${cell(20, para(""))}${cell(65, info)}</w:tr></w:tbl>`;
  const body = [
    spacer,
    addressTable,
    para(
      run("[[document.heading]]", '<w:b/><w:sz w:val="28"/>'),
      `<w:spacing w:before="${tw(10)}" w:after="240"/>`,
    ),
    para(run(w.greeting)),
    ...w.body.map((text) => para(run(text))),
    para(run(w.closing), '<w:spacing w:before="240" w:after="720"/>'),
    para(run("[[ourContact.name]]")),
  ].join("");
  const section =
    `<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:pgSz w:w="${tw(210)}" w:h="${tw(297)}"/>` +
    `<w:pgMar w:top="${tw(top)}" w:right="${tw(20)}" w:bottom="${tw(20)}" w:left="${tw(25)}" w:header="${tw(10)}" w:footer="${tw(10)}" w:gutter="0"/></w:sectPr>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${NS}><w:body>${body}${section}</w:body></w:document>`;
}

function headerXml(w: (typeof WORDING)["nb" | "en"]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr ${NS}>` +
    para(run(w.company, '<w:b/><w:sz w:val="32"/>'), '<w:spacing w:after="0"/>') +
    para(run(w.companyLine, '<w:color w:val="666666"/><w:sz w:val="18"/>')) +
    "</w:hdr>"
  );
}

const STYLES =
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles ${NS}><w:docDefaults>` +
  '<w:rPrDefault><w:rPr><w:rFonts w:ascii="Liberation Sans" w:hAnsi="Liberation Sans" w:cs="Liberation Sans" w:eastAsia="Liberation Sans"/><w:sz w:val="22"/><w:lang w:val="nb-NO"/></w:rPr></w:rPrDefault>' +
  '<w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>' +
  '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>' +
  '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/></w:style></w:styles>';

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
  '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>';

const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';

const DOCUMENT_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
  '<Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>';

/** A starter template to download, in Norwegian or English wording. */
export async function starterTemplate(language: "nb" | "en"): Promise<Buffer> {
  const w = WORDING[language];
  const chunks: Buffer[] = [];
  const zip = new ZipWriter((chunk) => {
    chunks.push(chunk);
  });
  await zip.add("[Content_Types].xml", Buffer.from(CONTENT_TYPES));
  await zip.add("_rels/.rels", Buffer.from(ROOT_RELS));
  await zip.add("word/document.xml", Buffer.from(documentXml(w)));
  await zip.add("word/_rels/document.xml.rels", Buffer.from(DOCUMENT_RELS));
  await zip.add(
    "word/styles.xml",
    Buffer.from(STYLES.replace("nb-NO", language === "nb" ? "nb-NO" : "en-GB")),
  );
  await zip.add("word/header1.xml", Buffer.from(headerXml(w)));
  await zip.finish();
  return Buffer.concat(chunks);
}
