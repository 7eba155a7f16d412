// Every error code the API can answer has its sentence in both of the UI's languages, and the UI shows an API error
// in the page's language with the server's details filled in.
import { describe, expect, it } from "vitest";
import { ROW_ISSUE_KINDS } from "../../../src/imports/api-schemas.ts";
import { errorCatalogue, REFERENCE_WHATS, VALIDATION_KINDS } from "../../../src/shared/errors.ts";
import { ApiError } from "../api/client.ts";
import { rowIssueText } from "../features/imports/ImportReportView.tsx";
import en from "./en.json";
import { errorText, fieldErrors, fieldProblemText } from "./error-text.ts";
import { type MessageKey, translator } from "./i18n.tsx";
import nb from "./nb.json";

const codes = Object.keys(errorCatalogue);

describe("error codes in the UI's languages", () => {
  it.each([
    ["nb", nb],
    ["en", en],
  ] as const)("%s has a sentence for every error code", (_language, messages) => {
    const sentences = (messages.errors as { codes: Record<string, string> }).codes;
    expect(codes.filter((code) => !sentences[code]?.trim())).toEqual([]);
    expect(Object.keys(sentences).filter((code) => !codes.includes(code))).toEqual([]);
  });

  // The server's field problems carry a kind (src/shared/errors.ts VALIDATION_KINDS, tested in src/http/errors.test.ts).
  it.each([
    ["nb", nb],
    ["en", en],
  ] as const)(
    "%s has a sentence for every kind of field problem the server can give",
    (_language, messages) => {
      const sentences = (messages.errors as { validation: Record<string, string> }).validation;
      const named = new Set(Object.keys(sentences).map((key) => key.replace(/_(one|other)$/, "")));
      expect(VALIDATION_KINDS.filter((kind) => !named.has(kind))).toEqual([]);
      expect([...named].filter((kind) => !(VALIDATION_KINDS as readonly string[]).includes(kind))).toEqual(
        [],
      );
      // A sentence with a count has both plural forms.
      for (const key of Object.keys(sentences).filter((k) => k.endsWith("_one")))
        expect(sentences[key.replace(/_one$/, "_other")], key).toBeTruthy();
      // The formats and types the schemas use have words of their own.
      const words = messages.errors as unknown as Record<string, Record<string, string>>;
      for (const format of ["email", "date-time"]) expect(words.validationFormats?.[format]).toBeTruthy();
      for (const type of ["string", "integer", "number", "boolean", "array", "object"])
        expect(words.validationTypes?.[type]).toBeTruthy();
      // So do the things an unknown reference names, and a template problem's place.
      expect(REFERENCE_WHATS.filter((what) => !words.validationReferences?.[what]?.trim())).toEqual([]);
      expect((messages.errors as { validationPosition?: string }).validationPosition).toMatch(
        /\{line\}.*\{column\}/,
      );
    },
  );

  it.each([
    ["nb", nb],
    ["en", en],
  ] as const)("%s has a sentence for every kind of import row problem", (_language, messages) => {
    const sentences = (messages.imports as unknown as { rowIssues: Record<string, string> }).rowIssues;
    expect(ROW_ISSUE_KINDS.filter((kind) => !sentences[kind]?.trim())).toEqual([]);
    expect(
      Object.keys(sentences).filter((kind) => !(ROW_ISSUE_KINDS as readonly string[]).includes(kind)),
    ).toEqual([]);
  });

  it("says an import row's problem in the page's language, with its limit", () => {
    const issue = { kind: "too-long", limit: 200, reason: "longer than 200 characters" };
    expect(rowIssueText(translator("nb"), issue)).toBe("er lengre enn 200 tegn");
    expect(rowIssueText(translator("en"), { kind: "invalid-email", reason: "x" })).toBe(
      "is not a valid e-mail address",
    );
  });

  it("says a field problem in the page's language, with its params, and a feature's own rule as the server said it", () => {
    const nbT = translator("nb");
    const enT = translator("en");
    const long = {
      field: "name",
      message: "must NOT have more than 200 characters",
      kind: "maxLength",
      params: { limit: 200 },
    };
    expect(fieldProblemText(nbT, long)).toBe("kan ha høyst 200 tegn");
    expect(fieldProblemText(enT, long)).toBe("may have at most 200 characters");
    expect(fieldProblemText(enT, { ...long, kind: "minItems", params: { limit: 1 } })).toBe(
      "must have at least 1 item",
    );
    expect(
      fieldProblemText(nbT, {
        field: "email",
        message: "must match format",
        kind: "format",
        params: { format: "email" },
      }),
    ).toBe("må være en e-postadresse");
    expect(
      fieldProblemText(nbT, {
        field: "addresses",
        message: "not valid e-mail addresses: ikke-en-adresse, kari@",
        kind: "format",
        params: { format: "email", given: "ikke-en-adresse, kari@" },
      }),
    ).toBe("må være en e-postadresse: ikke-en-adresse, kari@");
    expect(
      fieldProblemText(nbT, {
        field: "n",
        message: "must be integer",
        kind: "type",
        params: { type: "integer" },
      }),
    ).toBe("har feil type (skal være et heltall)");
    expect(fieldProblemText(nbT, { field: "x", message: "must match then schema", kind: "invalid" })).toBe(
      "must match then schema",
    );
    expect(
      fieldProblemText(nbT, { field: "x", message: "a kind from a newer server", kind: "brand-new" }),
    ).toBe("a kind from a newer server");
    const error = new ApiError(400, "VALIDATION_FAILED", "Invalid input: name: must not be empty", {
      fields: [{ field: "name", message: "must not be empty", kind: "empty" }],
    });
    expect(fieldErrors(error, nbT)).toEqual({ name: "kan ikke være tom" });
    // A duplicate or a missing reference names one field and no kind: its code's sentence goes beside it.
    const duplicate = new ApiError(409, "CONFLICT", "email: a user with e-mail kari@example.no exists", {
      field: "email",
    });
    expect(fieldErrors(duplicate, nbT)).toEqual({ email: "Dette finnes allerede." });
    const gone = new ApiError(400, "REFERENCE_NOT_FOUND", "companyId: company 9 does not exist", {
      field: "companyId",
      id: 9,
    });
    expect(fieldErrors(gone, enT)).toEqual({ companyId: "Something it refers to no longer exists." });
    expect(errorText(nbT, error)).toBe("Noe av det du fylte inn er ikke gyldig. name: kan ikke være tom");
  });

  it("says the server's own rules in Norwegian: a reference that does not exist, a template's place, a size", () => {
    const nbT = translator("nb");
    const enT = translator("en");
    const missing = {
      field: "criteria.criteria[0].key",
      message: 'no custom field "fodt"',
      kind: "unknown-reference",
      params: { what: "customField" as const, id: "fodt" },
    };
    expect(fieldProblemText(nbT, missing)).toBe("finnes ikke (egendefinert felt fodt)");
    expect(fieldProblemText(enT, missing)).toBe("does not exist (custom field fodt)");
    expect(
      fieldProblemText(nbT, {
        field: "content",
        message: "line 3, column 7: tag endif not closed",
        kind: "template-syntax",
        params: { line: 3, column: 7 },
      }),
    ).toBe("har en feil i malen (linje 3, kolonne 7)");
    expect(fieldProblemText(nbT, { field: "content", message: "x", kind: "template-syntax" })).toBe(
      "har en feil i malen",
    );
    const logo = { field: "logoBase64", message: "too big", kind: "too-large", params: { limit: 1048576 } };
    expect(fieldProblemText(nbT, logo)).toBe("er for stor (høyst 1\u00a0048\u00a0576 byte)");
    expect(fieldProblemText(enT, logo)).toBe("is too large (at most 1,048,576 bytes)");
    expect(
      fieldProblemText(nbT, {
        field: "customFields.fodt",
        message: '"31.12" is not a date',
        kind: "not-a-date",
      }),
    ).toBe("må være en dato (ÅÅÅÅ-MM-DD)");
  });

  it("says a refused action in Norwegian with the detail filled in, and drops a detail the server did not give", () => {
    const t = translator("nb");
    expect(
      errorText(
        t,
        new ApiError(403, "FORBIDDEN", "Your role (viewer) does not allow this", { right: "send" }),
      ),
    ).toBe("Rollen din gir ikke lov til dette (krever send).");
    expect(errorText(t, new ApiError(409, "CONFLICT", "duplicate", {}))).toBe("Dette finnes allerede.");
    expect(errorText(translator("en"), new ApiError(409, "CONFLICT", "dup", { field: "name" }))).toBe(
      "This already exists (name).",
    );
  });

  it("keeps the server's specifics after the sentence where they say which row or image", () => {
    const error = new ApiError(400, "DOCUMENT_TEMPLATE_INVALID", "word/document.xml is missing", {});
    expect(errorText(translator("nb"), error)).toBe(
      "Word-malen kan ikke brukes. Detaljer: word/document.xml is missing",
    );
  });

  it("shows an unknown code, or an error that is not the API's, as it came", () => {
    const t = translator("nb");
    expect(errorText(t, new ApiError(500, "SOMETHING_NEW", "new thing", {}))).toBe("new thing");
    expect(errorText(t, new Error("network down"))).toBe("network down");
    expect(t("errors.codes.INTERNAL" as MessageKey)).not.toBe("errors.codes.INTERNAL");
  });
});
