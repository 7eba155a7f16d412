// The company letterhead every composed letter carries (SPEC §13), whose logo and brand colour the hosted form pages
// wear (SPEC §9): kept as one settings row, read and written here.
import type { Db } from "../db/connect.ts";
import { invalid } from "../shared/errors.ts";
import { isBrandColour } from "./brand-colour.ts";

export type Letterhead = {
  companyName: string;
  /** Street, postcode and city, and whatever else the sender block shows, one line each. */
  addressLines: string[];
  /** The sender's country (ISO code): a recipient in it gets no country line. */
  country: string;
  orgNumber: string | null;
  phone: string | null;
  web: string | null;
  /** PNG or JPEG, at most LOGO_MAX_BYTES. */
  logo: { contentType: "image/png" | "image/jpeg"; data: Buffer } | null;
  /** `#rrggbb` in lower case: the hosted form page's button, heading accent and focus ring; null keeps utsend's blue. */
  brandColor: string | null;
};

export const LOGO_MAX_BYTES = 1024 * 1024;
const KEY = "letterhead";

export const EMPTY_LETTERHEAD: Letterhead = {
  companyName: "",
  addressLines: [],
  country: "NO",
  orgNumber: null,
  phone: null,
  web: null,
  logo: null,
  brandColor: null,
};

type Stored = Omit<Letterhead, "logo"> & { logo: { contentType: string; base64: string } | null };

export async function readLetterhead(db: Db): Promise<Letterhead> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", KEY).executeTakeFirst();
  if (!row) return EMPTY_LETTERHEAD;
  const stored = JSON.parse(row.value) as Stored;
  return {
    ...EMPTY_LETTERHEAD,
    ...stored,
    logo: stored.logo
      ? {
          contentType: stored.logo.contentType as "image/png" | "image/jpeg",
          data: Buffer.from(stored.logo.base64, "base64"),
        }
      : null,
  };
}

/** The image kind from its first bytes: a logo is PNG or JPEG whatever its name or declared type says. */
export function imageKind(data: Buffer): "image/png" | "image/jpeg" | null {
  if (
    data.length > 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return "image/png";
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  return null;
}

export type LetterheadInput = Partial<Omit<Letterhead, "logo">> & {
  /** Base64 of a PNG or JPEG; null removes the logo; absent keeps it. */
  logoBase64?: string | null;
};

export async function writeLetterhead(db: Db, input: LetterheadInput): Promise<Letterhead> {
  const current = await readLetterhead(db);
  let logo = current.logo;
  if (input.logoBase64 === null) logo = null;
  else if (input.logoBase64 !== undefined) {
    const data = Buffer.from(input.logoBase64, "base64");
    const kind = imageKind(data);
    if (!kind)
      throw invalid([
        {
          field: "logoBase64",
          message: "must be a PNG or JPEG image",
          kind: "not-an-image",
          params: { values: "PNG, JPEG" },
        },
      ]);
    if (data.length > LOGO_MAX_BYTES)
      throw invalid([
        {
          field: "logoBase64",
          message: `is ${data.length} bytes; a logo may be at most ${LOGO_MAX_BYTES}`,
          kind: "too-large",
          params: { limit: LOGO_MAX_BYTES },
        },
      ]);
    logo = { contentType: kind, data };
  }
  if (input.brandColor != null && !isBrandColour(input.brandColor))
    throw invalid([
      {
        field: "brandColor",
        message: `must be a colour written #rrggbb (six hex digits, e.g. "#0b5394"), not ${JSON.stringify(input.brandColor)}`,
        kind: "not-a-colour",
      },
    ]);
  const { logoBase64: _, ...fields } = input;
  const next: Letterhead = { ...current, ...fields, logo };
  const stored: Stored = {
    ...next,
    addressLines: next.addressLines.map((l) => l.trim()).filter(Boolean),
    brandColor: next.brandColor?.toLowerCase() ?? null,
    logo: logo ? { contentType: logo.contentType, base64: logo.data.toString("base64") } : null,
  };
  const value = JSON.stringify(stored);
  await db
    .insertInto("settings")
    .values({ key: KEY, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
  writes.set(db, letterheadWrites(db) + 1);
  return { ...next, brandColor: stored.brandColor };
}

// This process's letterhead writes per database handle: a cache of the letterhead in this process (the hosted form
// pages') sees its own process's change at once; other processes' caches see it when their time to live runs out.
const writes = new WeakMap<Db, number>();

export const letterheadWrites = (db: Db): number => writes.get(db) ?? 0;
