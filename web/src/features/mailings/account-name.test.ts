// The built-in outbox account is named in the UI's language; a name a user gave is shown as given.
import { describe, expect, it } from "vitest";
import { BUILT_IN_OUTBOX_NAME } from "../../../../src/send/account-names.ts";
import { translator } from "../../i18n/i18n.tsx";
import { accountName } from "./account-name.ts";

describe("a sending account's name in the UI", () => {
  it("names the built-in outbox in Norwegian and English, and keeps a name a user gave", () => {
    const builtIn = { kind: "outbox" as const, name: BUILT_IN_OUTBOX_NAME };
    expect(accountName(translator("nb"), builtIn)).toBe("Lokal utboks");
    expect(accountName(translator("en"), builtIn)).toBe("Local outbox");
    expect(accountName(translator("nb"), { kind: "outbox", name: "Testkasse" })).toBe("Testkasse");
    expect(accountName(translator("nb"), { kind: "smtp", name: BUILT_IN_OUTBOX_NAME })).toBe(
      BUILT_IN_OUTBOX_NAME,
    );
  });
});
