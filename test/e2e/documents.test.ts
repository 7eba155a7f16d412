// Document mailings end to end on a real server and both databases: letterhead, recipients by postal address, a
// recipient's preview, Send = generate through the worker, the PDF read back with poppler (names inside the envelope
// window, Nordic letters, order by postcode, page ranges per delivery), edit again and generate again.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../helpers/dialects.ts";
import { docx, paragraph, zerosZip } from "../helpers/docx.ts";
import { pageText, pdfPageCount, pdfWords, type TextPage } from "../helpers/pdf-text.ts";
import { pngHeaderOnly, solidPng } from "../helpers/png.ts";
import { partAvailable, popplerAvailable } from "../helpers/requirements.ts";
import {
  type ApiClient,
  ok,
  request,
  signIn,
  startTestServer,
  type TestServer,
  waitFor,
} from "../helpers/server.ts";

type Mailing = {
  id: number;
  status: string;
  canSend: boolean;
  problems: Array<{ code: string }>;
  warnings: string[];
  recipients: { eligible: number; leftOut: number };
};
type DocumentState = {
  status: string;
  letters: number;
  pages: number | null;
  bytes: number | null;
  error: string | null;
};
type Delivery = {
  recipientId: number;
  status: string;
  firstPage: number | null;
  pageCount: number | null;
  email: string;
};

const MM = 72 / 25.4;
const WINDOW = { left: 20 * MM, top: 45 * MM, right: 105 * MM, bottom: 90 * MM };

/** Every word of `text` is on the page inside the envelope window (the letterhead may hold the same words too). */
function inWindow(page: TextPage, text: string): boolean {
  return text
    .split(" ")
    .every((word) =>
      page.words.some(
        (w) =>
          w.text === word &&
          w.xMin >= WINDOW.left &&
          w.xMax <= WINDOW.right &&
          w.yMin >= WINDOW.top &&
          w.yMax <= WINDOW.bottom,
      ),
    );
}

const dialects = await testDialects();
const poppler = popplerAvailable();
const soffice = partAvailable(
  "LibreOffice",
  (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(`${dir}/soffice`)),
  "`soffice` is not on PATH (apt-get install libreoffice-writer-nogui)",
);

describe.skipIf(!poppler).each(dialects)("document mailings (%s)", (dialect) => {
  let server: TestServer;
  let admin: ApiClient;
  let cookie: string;
  let work: string;
  const ids: Record<string, number> = {};

  /** GET with the session cookie, the body as bytes (the API client reads text). */
  const bytes = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: { cookie } });
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      body: Buffer.from(await response.arrayBuffer()),
    };
  };
  const saved = (name: string, data: Buffer) => {
    const file = join(work, name);
    writeFileSync(file, data);
    return file;
  };
  /** PUT a Word template as the raw body, as the browser does; the answer's status and JSON. */
  const upload = async (mailingId: number, fileName: string, body: Buffer) => {
    const response = await fetch(
      `${server.url}/api/mailings/${mailingId}/document-template?fileName=${encodeURIComponent(fileName)}`,
      {
        method: "PUT",
        headers: { cookie, "x-csrf-token": await csrf(), "content-type": "application/octet-stream" },
        body: new Uint8Array(body),
      },
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "utsend-documents-"));
    server = await startTestServer({ dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const login = await request(server.url, "POST", "/auth/login", {
      body: { email: server.adminEmail, password: server.adminPassword },
    });
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    await ok(
      admin.send("PUT", "/api/settings/letterhead", {
        companyName: "Fjordlys AS",
        addressLines: ["Storgata 1", "0155 Oslo"],
        country: "NO",
        orgNumber: "912 345 678",
        logoBase64: solidPng(120, 40).toString("base64"),
      }),
    );
    const company = await ok<{ id: number }>(
      admin.send("POST", "/api/companies", {
        name: "Havblikk AS",
        street: "Bryggen 5",
        postcode: "5003",
        city: "Bergen",
      }),
      201,
    );
    const person = async (key: string, body: Record<string, unknown>) => {
      ids[key] = (await ok<{ id: number }>(admin.send("POST", "/api/persons", body), 201)).id;
    };
    await person("own", {
      firstName: "Bjørn",
      lastName: "Ærlig",
      street: "Åsgårdveien 7",
      postcode: "3179",
      city: "Åsgårdstrand",
    });
    await person("company", { firstName: "Åse", lastName: "Øvre", companyId: company.id });
    await person("nowhere", { firstName: "Per", lastName: "Uten" });
    await person("abroad", {
      firstName: "Jürgen",
      lastName: "Müller",
      language: "en",
      street: "Hauptstraße 1",
      postcode: "10115",
      city: "Berlin",
      country: "Tyskland",
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("lists each recipient with the postal address the letter goes to, and one without as left out for no postal address", async () => {
    const made = await ok<Mailing>(
      admin.send("POST", "/api/mailings", { name: "Adresseliste", type: "document", content: "<p>Hei</p>" }),
      201,
    );
    for (const key of ["own", "company", "nowhere"])
      await ok(admin.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: ids[key] }));
    // Every source but an imported file (SPEC §13): a file has no postal addresses.
    const imported = await fetch(
      `${server.url}/api/mailings/${made.id}/imports?consentConfirmed=true&fileName=adresser.csv`,
      {
        method: "POST",
        headers: { cookie, "x-csrf-token": await csrf(), "content-type": "text/csv" },
        body: "E-post;Navn\nkari@example.no;Kari\n",
      },
    );
    expect(imported.status).toBe(400);
    const importError = (await imported.json()) as {
      error: { code: string; details: { fields: Array<{ kind: string }> } };
    };
    expect(importError.error.details.fields[0]).toMatchObject({ kind: "wrong-mailing-type" });
    type Row = { personId: number; postalAddress: string | null; status: string; blockReason: string | null };
    const list = await ok<{ items: Row[]; total: number }>(admin.get(`/api/mailings/${made.id}/recipients`));
    // The left out are not on the list (src/db/block-reasons.ts); asked for by name, they are listed with their reason.
    expect(list.total).toBe(2);
    const leftOut = await ok<{ items: Row[]; total: number }>(
      admin.get(`/api/mailings/${made.id}/recipients?status=left-out`),
    );
    const byPerson = new Map([...list.items, ...leftOut.items].map((r) => [r.personId, r]));
    expect(byPerson.get(ids.own!)).toMatchObject({
      postalAddress: "Bjørn Ærlig\nÅsgårdveien 7\n3179 ÅSGÅRDSTRAND",
      status: "eligible",
      blockReason: null,
    });
    // No address of her own: the company's, named by the company (she is on the attention line).
    expect(byPerson.get(ids.company!)).toMatchObject({
      postalAddress: "Havblikk AS\nBryggen 5\n5003 BERGEN",
      status: "eligible",
      blockReason: null,
    });
    expect(byPerson.get(ids.nowhere!)).toMatchObject({
      postalAddress: null,
      status: "left-out",
      blockReason: "no-postal-address",
    });
    expect(leftOut.items.map((r) => r.personId)).toEqual([ids.nowhere]);
    const blocked = await ok<{ items: Row[] }>(
      admin.get(`/api/mailings/${made.id}/recipients?status=blocked`),
    );
    expect(blocked.items).toEqual([]);
    const mailing = await ok<Mailing>(admin.get(`/api/mailings/${made.id}`));
    expect(mailing.recipients).toMatchObject({ eligible: 2, leftOut: 1 });

    // An e-mail mailing's list carries no postal address and still leaves out the rows it cannot send to unlisted.
    const email = await ok<Mailing>(
      admin.send("POST", "/api/mailings", { name: "E-post", type: "email" }),
      201,
    );
    await ok(admin.send("POST", `/api/mailings/${email.id}/sources`, { kind: "person", refId: ids.own }));
    const emailList = await ok<{ items: Row[]; total: number }>(
      admin.get(`/api/mailings/${email.id}/recipients`),
    );
    expect(emailList.total).toBe(0);
  });

  it("generates one PDF with a letter per recipient with a postal address, ordered by postcode", async () => {
    const made = await ok<Mailing>(
      admin.send("POST", "/api/mailings", {
        name: "Brev til kundene",
        type: "document",
        docHeading: "Tilbud til [[customer.firstname]]",
        docOurRef: "BR-[[customer.id]]",
        docOrder: "postcode",
        content:
          "<p>Hei [[customer.firstname]], vi har et <strong>tilbud</strong> til deg.</p><ul><li>Første punkt</li><li>Andre punkt</li></ul>",
      }),
      201,
    );
    ids.mailing = made.id;
    for (const key of ["own", "company", "nowhere", "abroad"])
      await ok(admin.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: ids[key] }));
    const ready = await ok<Mailing>(admin.send("POST", `/api/mailings/${made.id}/recipients/refresh`));
    expect(ready.recipients).toMatchObject({ eligible: 3, leftOut: 1 });
    expect(ready.problems).toEqual([]);
    expect(ready.canSend).toBe(true);

    // Nothing to download before the first Send.
    expect((await bytes(`/api/mailings/${made.id}/document/file`)).status).toBe(404);

    await ok(admin.send("POST", `/api/mailings/${made.id}/send`));
    const state = await waitFor(
      () => ok<DocumentState | null>(admin.get(`/api/mailings/${made.id}/document`)),
      (s) => s?.status === "ready" || s?.status === "failed",
      30_000,
    );
    expect(state).toMatchObject({ status: "ready", letters: 3, pages: 3, error: null });
    const mailing = await ok<Mailing>(admin.get(`/api/mailings/${made.id}`));
    expect(mailing.status).toBe("finished");

    const file = await bytes(`/api/mailings/${made.id}/document/file`);
    expect(file.status).toBe(200);
    expect(file.type).toBe("application/pdf");
    expect(file.body.length).toBe(state!.bytes);
    const pdf = saved("letters.pdf", file.body);
    expect(await pdfPageCount(pdf)).toBe(3);
    const pages = await pdfWords(pdf);
    // By postcode: 3179 Åsgårdstrand, 5003 Bergen, then 10115 Berlin.
    expect(pageText(pages[0]!)).toContain("Tilbud til Bjørn");
    expect(inWindow(pages[0]!, "Bjørn Ærlig")).toBe(true);
    expect(inWindow(pages[0]!, "3179 ÅSGÅRDSTRAND")).toBe(true);
    expect(pageText(pages[0]!)).toContain("Hei Bjørn, vi har et tilbud til deg.");
    expect(pageText(pages[0]!)).toContain(`BR-${ids.own}`);
    expect(inWindow(pages[1]!, "Havblikk AS")).toBe(true);
    expect(inWindow(pages[1]!, "5003 BERGEN")).toBe(true);
    expect(pageText(pages[1]!)).toContain("Åse Øvre"); // on the attention line
    expect(inWindow(pages[2]!, "Jürgen Müller")).toBe(true);
    expect(inWindow(pages[2]!, "TYSKLAND")).toBe(true);
    expect(pageText(pages[2]!)).toContain("Kind regards");
    // The date and the letter's own words in each recipient's language (Jürgen's is English).
    expect(pageText(pages[0]!)).toContain(`Vår ref.: BR-${ids.own}`);
    expect(pageText(pages[0]!)).toMatch(
      / \d{1,2}\. (januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember) \d{4}/,
    );
    expect(pageText(pages[2]!)).toContain(`Our ref.: BR-${ids.abroad}`);
    expect(pageText(pages[2]!)).toMatch(
      / \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/,
    );
    for (const page of pages) expect(pageText(page)).toContain("Fjordlys AS");
    expect(pageText(pages[0]!)).not.toContain("Per Uten");

    const deliveries = await ok<{ items: Delivery[] }>(
      admin.get(`/api/mailings/${made.id}/deliveries?limit=10`),
    );
    expect(deliveries.items.map((d) => d.status)).toEqual(["generated", "generated", "generated"]);
    const firstPages = deliveries.items.map((d) => [d.firstPage, d.pageCount]).sort();
    expect(firstPages).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);

    // Follow-up: the letters' recipients go into a new selection; the one left out got no letter and is not added.
    const added = await ok<{
      persons: number;
      added: number;
      selectionId: number;
      named: { added: Array<{ personId: number }> };
    }>(
      admin.send("POST", `/api/mailings/${made.id}/follow-up/add-to`, { newSelectionName: "Fikk julebrev" }),
    );
    expect(added).toMatchObject({ persons: 3, added: 3 });
    expect(added.named.added.map((p) => p.personId).sort()).toEqual(
      [ids.own!, ids.company!, ids.abroad!].sort(),
    );
  });

  it("reports merge fields that are empty for some recipients, with who", async () => {
    const made = await ok<Mailing>(
      admin.send("POST", "/api/mailings", {
        name: "Brev med tittel",
        type: "document",
        docHeading: "Til [[customer.title]]",
        content: "<p>Hei [[customer.firstname]]</p>",
      }),
      201,
    );
    for (const key of ["own", "company"])
      await ok(admin.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: ids[key] }));
    await ok(admin.send("POST", `/api/mailings/${made.id}/recipients/refresh`));
    const report = await ok<{ checked: number; items: Array<{ variable: string; count: number }> }>(
      admin.get(`/api/mailings/${made.id}/empty-variables`),
    );
    expect(report.checked).toBe(2);
    expect(report.items).toEqual([expect.objectContaining({ variable: "customer.title", count: 2 })]);
  });

  it("previews one recipient's letter as a PDF of their own page", async () => {
    const recipients = await ok<{ items: Array<{ id: number; personId: number }> }>(
      admin.get(`/api/mailings/${ids.mailing}/recipients?status=eligible`),
    );
    const own = recipients.items.find((r) => r.personId === ids.own)!;
    const preview = await bytes(`/api/mailings/${ids.mailing}/document/preview?recipientId=${own.id}`);
    expect(preview.status).toBe(200);
    expect(preview.type).toBe("application/pdf");
    const pages = await pdfWords(saved("preview.pdf", preview.body));
    expect(pages).toHaveLength(1);
    expect(inWindow(pages[0]!, "Bjørn Ærlig")).toBe(true);
  });

  it("merges the project linked in Setup into the letter ([[project.name]], [[project.description]])", async () => {
    const project = await ok<{ id: number }>(
      admin.send("POST", "/api/projects", { name: "Vårmesse 2027", description: "Stand B12" }),
      201,
    );
    const made = await ok<Mailing>(
      admin.send("POST", "/api/mailings", {
        name: "Messebrev",
        type: "document",
        projectId: project.id,
        content: "<p>Velkommen til [[project.name]], [[project.description]].</p>",
      }),
      201,
    );
    await ok(admin.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: ids.own }));
    const recipients = await ok<{ items: Array<{ id: number; personId: number }> }>(
      admin.get(`/api/mailings/${made.id}/recipients?status=eligible`),
    );
    const own = recipients.items.find((r) => r.personId === ids.own)!;
    const preview = await bytes(`/api/mailings/${made.id}/document/preview?recipientId=${own.id}`);
    expect(preview.status).toBe(200);
    const [page] = await pdfWords(saved("project.pdf", preview.body));
    expect(page!.words.map((w) => w.text).join(" ")).toContain("Velkommen til Vårmesse 2027, Stand B12.");
  });

  it("edits a generated document again and replaces the file on the next Send", async () => {
    const again = await ok<Mailing>(admin.send("POST", `/api/mailings/${ids.mailing}/edit-again`));
    expect(again.status).toBe("draft");
    // The last document stays downloadable while the mailing is edited.
    expect((await bytes(`/api/mailings/${ids.mailing}/document/file`)).status).toBe(200);
    await ok(
      admin.send("PATCH", `/api/mailings/${ids.mailing}`, { docHeading: "Nytt tilbud", docOddPages: true }),
    );
    await ok(admin.send("POST", `/api/mailings/${ids.mailing}/send`));
    const state = await waitFor(
      () => ok<DocumentState | null>(admin.get(`/api/mailings/${ids.mailing}/document`)),
      (s) => s?.status === "ready" && s.pages === 5,
      30_000,
    );
    // Duplex: every letter starts on an odd page, so 3 one-page letters take 5 pages.
    expect(state).toMatchObject({ status: "ready", letters: 3, pages: 5 });
    const pdf = saved("again.pdf", (await bytes(`/api/mailings/${ids.mailing}/document/file`)).body);
    const pages = await pdfWords(pdf);
    expect(pageText(pages[0]!)).toContain("Nytt tilbud");
    expect(pageText(pages[2]!)).toContain("Nytt tilbud");
    expect(pageText(pages[1]!)).toBe("");
    const kept = readdirSync(join(server.dataDir, "documents"));
    expect(kept).toHaveLength(1);
  });

  it("refuses a Word template that is not a DOCX and stores nothing", async () => {
    const made = await ok<Mailing & { docTemplateName: string | null }>(
      admin.send("POST", "/api/mailings", { name: "Word-brev", type: "document", docSource: "word" }),
      201,
    );
    const response = await fetch(
      `${server.url}/api/mailings/${made.id}/document-template?fileName=brev.docx`,
      {
        method: "PUT",
        headers: { cookie, "x-csrf-token": await csrf(), "content-type": "application/octet-stream" },
        body: Buffer.from("not a zip at all"),
      },
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    const after = await ok<Mailing & { docTemplateName: string | null }>(
      admin.get(`/api/mailings/${made.id}`),
    );
    expect(after.docTemplateName).toBeNull();
    expect(after.problems.map((p) => p.code)).toContain("document-template");
  });

  it("refuses a zip bomb, a huge image and a merge field that never closes, keeping the template it had", async () => {
    const made = await ok<Mailing>(
      admin.send("POST", "/api/mailings", {
        name: "Word-brev, vond fil",
        type: "document",
        docSource: "word",
      }),
      201,
    );
    const starter = (await bytes("/api/documents/starter-template?language=nb")).body;
    expect((await upload(made.id, "god.docx", starter)).status).toBe(200);
    const bad: Array<[string, Buffer, RegExp]> = [
      ["bombe.docx", await zerosZip("word/document.xml", 200 * 1024 * 1024), /unpacks to more than/],
      [
        "bilde.docx",
        docx(paragraph("Logo"), { "word/media/image1.png": randomBytes(11 * 1024 * 1024) }),
        /image1\.png is larger than 10 MB/,
      ],
      ["uavsluttet.docx", docx(paragraph("Hei [[customer.name og resten")), /unclosed/],
    ];
    for (const [name, file, message] of bad) {
      const refused = await upload(made.id, name, file);
      expect(refused.status, name).toBe(400);
      const error = refused.body.error as { code: string; message: string };
      expect(error.code, name).toBe("DOCUMENT_TEMPLATE_INVALID");
      expect(error.message, name).toMatch(message);
      // Nothing of the refused file is kept: the template is still the one uploaded before, byte for byte.
      const after = await ok<Mailing & { docTemplateName: string | null }>(
        admin.get(`/api/mailings/${made.id}`),
      );
      expect(after.docTemplateName, name).toBe("god.docx");
      expect((await bytes(`/api/mailings/${made.id}/document-template`)).body.equals(starter), name).toBe(
        true,
      );
    }
  }, 60_000);

  it("warns of an unknown merge field in a Word template at upload and blocks Confirm until it is gone", async () => {
    const made = await ok<Mailing>(
      admin.send("POST", "/api/mailings", {
        name: "Word-brev med skostørrelse",
        type: "document",
        docSource: "word",
      }),
      201,
    );
    await ok(admin.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: ids.own }));
    await ok(admin.send("POST", `/api/mailings/${made.id}/recipients/refresh`));
    // Word split the unknown field over two runs; it is found all the same.
    const template = docx(
      paragraph(
        "Hei [[customer.firstname]], ",
        "<w:r><w:t>[[customer.sko</w:t></w:r><w:r><w:t>Size]]</w:t></w:r>",
      ),
    );
    const uploaded = await upload(made.id, "sko.docx", template);
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.unknownVariables).toEqual(["customer.skoSize"]);
    expect((uploaded.body.mailing as Mailing).warnings).toContain("Unknown merge field [[customer.skoSize]]");

    type Problem = { code: string; step: string; message: string };
    const blocked = await ok<Mailing & { problems: Problem[] }>(admin.get(`/api/mailings/${made.id}`));
    expect(blocked.problems).toEqual([
      expect.objectContaining({
        code: "unknown-variable",
        step: "content",
        message: "Unknown merge field [[customer.skoSize]]",
      }),
    ]);
    expect(blocked.canSend).toBe(false);
    const refused = await admin.send("POST", `/api/mailings/${made.id}/send`);
    expect(refused.status).toBe(409);
    expect((refused.body as { error: { code: string } }).error.code).toBe("MAILING_NOT_READY");
    expect((await ok<Mailing>(admin.get(`/api/mailings/${made.id}`))).status).toBe("draft");

    // Composing the letter instead leaves the unused template's fields out of it.
    const composed = await ok<Mailing>(
      admin.send("PATCH", `/api/mailings/${made.id}`, { docSource: "composed", content: "<p>Hei</p>" }),
    );
    expect(composed.problems).toEqual([]);
    expect(composed.warnings).toEqual([]);
    await ok(admin.send("PATCH", `/api/mailings/${made.id}`, { docSource: "word" }));
    expect((await ok<Mailing>(admin.get(`/api/mailings/${made.id}`))).canSend).toBe(false);

    // A template without it can be sent.
    const fixed = await upload(made.id, "sko.docx", docx(paragraph("Hei [[customer.firstname]]")));
    expect(fixed.body.unknownVariables).toEqual([]);
    const ready = await ok<Mailing>(admin.get(`/api/mailings/${made.id}`));
    expect(ready.problems).toEqual([]);
    expect(ready.canSend).toBe(true);
  });

  it.skipIf(!soffice)(
    "merges the starter Word template per recipient and converts it to one PDF with LibreOffice, duplex: each letter on an odd page",
    async () => {
      const made = await ok<Mailing>(
        admin.send("POST", "/api/mailings", {
          name: "Word-brev til kundene",
          type: "document",
          docSource: "word",
          docHeading: "Invitasjon til [[customer.firstname]]",
          docOddPages: true,
        }),
        201,
      );
      for (const key of ["own", "company", "abroad"])
        await ok(admin.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: ids[key] }));
      const starter = await bytes("/api/documents/starter-template?language=nb");
      expect(starter.status).toBe(200);
      const upload = await fetch(
        `${server.url}/api/mailings/${made.id}/document-template?fileName=brev.docx`,
        {
          method: "PUT",
          headers: { cookie, "x-csrf-token": await csrf(), "content-type": "application/octet-stream" },
          body: starter.body,
        },
      );
      const checked = (await upload.json()) as { unknownVariables: string[]; variables: string[] };
      expect(upload.status).toBe(200);
      expect(checked.unknownVariables).toEqual([]);
      expect(checked.variables).toContain("document.address");
      await ok(admin.send("POST", `/api/mailings/${made.id}/recipients/refresh`));
      await ok(admin.send("POST", `/api/mailings/${made.id}/send`));
      const state = await waitFor(
        () => ok<DocumentState | null>(admin.get(`/api/mailings/${made.id}/document`)),
        (s) => s?.status === "ready" || s?.status === "failed",
        120_000,
      );
      expect(state).toMatchObject({ status: "ready", letters: 3, error: null });
      const file = await bytes(`/api/mailings/${made.id}/document/file`);
      expect(file.type).toBe("application/pdf");
      const pages = await pdfWords(saved("word.pdf", file.body));
      // Three one-page letters, a blank page after each but the last, so each starts on the front of a sheet.
      expect(pages).toHaveLength(5);
      expect(state).toMatchObject({ pages: 5 });
      expect([pages[1]!.words, pages[3]!.words]).toEqual([[], []]);
      const deliveries = await ok<{ items: Delivery[] }>(
        admin.get(`/api/mailings/${made.id}/deliveries?limit=10`),
      );
      const ranges = deliveries.items.map((d) => [d.firstPage, d.pageCount]).sort();
      expect(ranges).toEqual([
        [1, 1],
        [3, 1],
        [5, 1],
      ]);
      for (const d of deliveries.items)
        expect(pageText(pages[d.firstPage! - 1]!)).toContain("Invitasjon til");
      const texts = pages.map(pageText);
      expect(texts.some((t) => t.includes("Invitasjon til Bjørn"))).toBe(true);
      expect(pages.some((p) => inWindow(p, "3179 ÅSGÅRDSTRAND"))).toBe(true);
      expect(pages.some((p) => inWindow(p, "Havblikk AS"))).toBe(true);
      expect(texts.some((t) => t.includes("Att.: Åse Øvre"))).toBe(true);
    },
    180_000,
  );

  it("refuses a letter body with an enormous image and keeps the body it had", async () => {
    const made = await ok<Mailing & { content: string | null }>(
      admin.send("POST", "/api/mailings", { name: "Bildebrev", type: "document", content: "<p>Hei</p>" }),
      201,
    );
    const huge = `<p><img src="data:image/png;base64,${pngHeaderOnly(8000, 8000).toString("base64")}" alt="Kart"></p>`;
    const refused = await admin.send("PATCH", `/api/mailings/${made.id}`, { content: huge });
    expect(refused.status).toBe(400);
    const error = (
      refused.body as {
        error: { code: string; details: { fields: Array<{ field: string; message: string }> } };
      }
    ).error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.fields[0]).toMatchObject({ field: "content", kind: "letter-image" });
    expect(error.details.fields[0]!.message).toContain("8000×8000");
    const after = await ok<Mailing & { content: string | null }>(admin.get(`/api/mailings/${made.id}`));
    expect(after.content).toBe("<p>Hei</p>");
  });

  it("pauses the mailing with the reason when a letter cannot be made, and lets it be fixed and generated", async () => {
    const broken = solidPng(20, 20, [200, 30, 30, 128], true).toString("base64");
    const made = await ok<Mailing>(
      admin.send("POST", "/api/mailings", {
        name: "Brev med ødelagt bilde",
        type: "document",
        content: `<p>Hei</p><p><img src="data:image/png;base64,${broken}" alt="Logo"></p>`,
      }),
      201,
    );
    await ok(admin.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: ids.own }));
    await ok(admin.send("POST", `/api/mailings/${made.id}/recipients/refresh`));
    await ok(admin.send("POST", `/api/mailings/${made.id}/send`));
    const failed = await waitFor(
      () => ok<DocumentState | null>(admin.get(`/api/mailings/${made.id}/document`)),
      (s) => s?.status === "failed" || s?.status === "ready",
      30_000,
    );
    expect(failed?.status).toBe("failed");
    expect(failed?.error).toMatch(/image/i);
    expect((await ok<Mailing>(admin.get(`/api/mailings/${made.id}`))).status).toBe("paused");
    expect((await bytes(`/api/mailings/${made.id}/document/file`)).status).toBe(404);

    const draft = await ok<Mailing>(admin.send("POST", `/api/mailings/${made.id}/edit-again`));
    expect(draft.status).toBe("draft");
    await ok(admin.send("PATCH", `/api/mailings/${made.id}`, { content: "<p>Hei uten bilde</p>" }));
    await ok(admin.send("POST", `/api/mailings/${made.id}/send`));
    const ready = await waitFor(
      () => ok<DocumentState | null>(admin.get(`/api/mailings/${made.id}/document`)),
      (s) => s?.status === "ready",
      30_000,
    );
    expect(ready).toMatchObject({ status: "ready", letters: 1, error: null });
  });

  async function csrf(): Promise<string> {
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie } });
    return ((await me.json()) as { csrfToken: string }).csrfToken;
  }
});
