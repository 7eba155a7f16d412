// Every error code the API can answer has its sentence in both of the UI's languages, and the UI shows an API error
// in the page's language with the server's details filled in.
import { describe, expect, it } from "vitest";
import { errorCatalogue } from "../../../src/shared/errors.ts";
import { ApiError } from "../api/client.ts";
import en from "./en.json";
import { errorText } from "./error-text.ts";
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
