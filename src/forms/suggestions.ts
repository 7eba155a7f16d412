// Suggested persons for a submission waiting for manual processing (SPEC §9): the persons with its e-mail address;
// when there are none, those with its first and last name at its company; when none either, those with its mobile.
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { toMobileE164 } from "../persons/person-rules.ts";
import { answerText } from "./person-update.ts";
import { loadSubmission } from "./processing.ts";

export type SuggestionReason = "same-email" | "same-name-and-company" | "same-mobile";
export type Suggestion = {
  personId: number;
  name: string;
  email: string | null;
  companyName: string | null;
  reason: SuggestionReason;
};

const LIMIT = 20;

/** The suggestions for the submission, best reason first (the submission detail route shows them). */
export async function suggestionsFor(
  db: Db,
  submissionId: number,
  defaultCountry = "NO",
): Promise<Suggestion[]> {
  const loaded = await loadSubmission(db, submissionId);
  const answer = (maps: string) => {
    const field = loaded.fields.find((f) => f.kind === "mapped" && f.maps === maps);
    return field ? answerText(loaded.answers, field.key) : "";
  };
  const base = () =>
    db
      .selectFrom("persons as p")
      .leftJoin("companies as c", "c.id", "p.company_id")
      .select([
        "p.id",
        "p.first_name",
        "p.last_name",
        "c.name as company_name",
        (eb) =>
          eb
            .selectFrom("person_emails as pe")
            .select("pe.address")
            .whereRef("pe.person_id", "=", "p.id")
            .orderBy("pe.is_primary", "desc")
            .orderBy("pe.id")
            .limit(1)
            .as("email"),
      ])
      .orderBy("p.id")
      .limit(LIMIT);
  const shape =
    (reason: SuggestionReason) => (rows: Awaited<ReturnType<ReturnType<typeof base>["execute"]>>) =>
      rows.map((r) => ({
        personId: r.id,
        name: [r.first_name, r.last_name].filter(Boolean).join(" "),
        email: r.email ?? null,
        companyName: r.company_name,
        reason,
      }));

  const email = (answer("email") || loaded.submission.email_lower || "").toLowerCase();
  if (email) {
    const rows = await base()
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("person_emails as m")
            .select("m.id")
            .whereRef("m.person_id", "=", "p.id")
            .where("m.address_lower", "=", email),
        ),
      )
      .execute();
    if (rows.length > 0) return shape("same-email")(rows);
  }
  const first = answer("first_name").toLowerCase();
  const last = answer("last_name").toLowerCase();
  const company = answer("company_name").toLowerCase();
  if (first && last && company) {
    const rows = await base()
      .where(sql<boolean>`lower(p.first_name) = ${first}`)
      .where(sql<boolean>`lower(p.last_name) = ${last}`)
      .where("c.name_lower", "=", company)
      .execute();
    if (rows.length > 0) return shape("same-name-and-company")(rows);
  }
  const mobile = answer("mobile") ? toMobileE164(answer("mobile"), defaultCountry) : null;
  if (mobile) return shape("same-mobile")(await base().where("p.mobile", "=", mobile).execute());
  return [];
}
