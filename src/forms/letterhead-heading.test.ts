import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { solidPng } from "../../test/helpers/png.ts";
import { writeLetterhead } from "../settings/letterhead.ts";
import { cachedLetterheadHeading, HEADING_TTL_MS } from "./letterhead-heading.ts";

describe.each(await testDialects())("the hosted pages' letterhead heading on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it("shows a change saved by another process once its time to live has run out, not before", async () => {
    await writeLetterhead(t.db, { companyName: "Gamle AS", brandColor: null, logoBase64: null });
    let clock = 5_000_000;
    const heading = cachedLetterheadHeading(t.db, () => clock);
    expect(await heading()).toEqual({ companyName: "Gamle AS", brandColor: null, hasLogo: false });
    // Another process: its own handle on the same database.
    const otherProcess = t.db.withoutPlugins();
    await writeLetterhead(otherProcess, {
      companyName: "Nye AS",
      brandColor: "#0b5394",
      logoBase64: solidPng(8, 8).toString("base64"),
    });
    clock += HEADING_TTL_MS - 1;
    expect(await heading()).toEqual({ companyName: "Gamle AS", brandColor: null, hasLogo: false });
    clock += 1;
    expect(await heading()).toEqual({ companyName: "Nye AS", brandColor: "#0b5394", hasLogo: true });
  });

  it("shows a change saved in this process at once", async () => {
    const clock = 6_000_000;
    const heading = cachedLetterheadHeading(t.db, () => clock);
    expect((await heading()).companyName).toBe("Nye AS");
    await writeLetterhead(t.db, { companyName: "Nyeste AS" });
    expect((await heading()).companyName).toBe("Nyeste AS");
  });

  it("gives the pages that ask at once one read between them", async () => {
    const heading = cachedLetterheadHeading(t.db);
    const [a, b] = [heading(), heading()];
    expect(a).toBe(b);
    expect((await a).companyName).toBe("Nyeste AS");
  });
});
