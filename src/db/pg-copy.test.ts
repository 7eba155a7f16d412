import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { copyField, copyText, openPgSession } from "./pg-copy.ts";

describe("COPY's text format", () => {
  it("escapes what would end a value or a row, and writes null as \\N", () => {
    expect(copyField(null)).toBe("\\N");
    expect(copyField(undefined)).toBe("\\N");
    expect(copyField(42)).toBe("42");
    expect(copyField("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    // A value that looks like COPY's null or end marker stays text.
    expect(copyField("\\N")).toBe("\\\\N");
    expect(copyField("\\.")).toBe("\\\\.");
    expect(copyField("Åse Ødegård")).toBe("Åse Ødegård");
  });

  it("refuses NUL and numbers COPY cannot write", () => {
    expect(() => copyField("a\u0000b")).toThrow(/NUL/);
    expect(() => copyField(Number.NaN)).toThrow();
  });

  it("joins columns with tabs and ends each row with a line feed, in chunks", () => {
    expect(
      [
        ...copyText([
          ["a", null, 1],
          ["b\tc", "d", 2],
        ]),
      ].join(""),
    ).toBe("a\t\\N\t1\nb\\tc\td\t2\n");
    const many = [...copyText(Array.from({ length: 20_000 }, (_, i) => [i, "x".repeat(10)]))];
    expect(many.length).toBeGreaterThan(1);
    expect(many.join("").split("\n")).toHaveLength(20_001);
  });
});

const dialects = (await testDialects()).filter((d) => d === "postgres");

describe.each(dialects)("COPY on %s", (dialect) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
  });
  afterAll(async () => db.dispose());

  it("stores every value as given, in the session's transaction, and rolls back with it", async () => {
    const session = await openPgSession(db.db);
    try {
      await sql`create table copied (n integer, t text)`.execute(session.db);
      const values = ["tab\there", "line\nbreak\r\n", "back\\slash", "\\N", "\\.", "", "Åse – ø"];
      const written = await session.transaction(() =>
        session.copy("copied", ["n", "t"], [...values.map((t, i) => [i, t]), [values.length, null]]),
      );
      expect(written).toBe(values.length + 1);
      const rows = await sql<{ n: number; t: string | null }>`select n, t from copied order by n`.execute(
        db.db,
      );
      expect(rows.rows.map((r) => r.t)).toEqual([...values, null]);

      await expect(
        session.transaction(async () => {
          await session.copy("copied", ["n", "t"], [[100, "gone"]]);
          throw new Error("the batch fails after its COPY");
        }),
      ).rejects.toThrow("the batch fails");
      const after = await sql<{ n: number }>`select count(*)::int as n from copied`.execute(db.db);
      expect(after.rows[0]!.n).toBe(values.length + 1);
    } finally {
      await session.release();
    }
  });
});
