// A document mailing's recipients get the postal address their letter goes to (SPEC §13), written onto the list's
// rows in a few statements per thousand rows; the rows without one are then left out as *no postal address*.
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { readLetterhead } from "../settings/letterhead.ts";
import { type AddressParts, postalAddressFor } from "./postal-address.ts";

const PAGE = 2_000;

export async function fillPostalAddresses(db: Db, mailingId: number): Promise<void> {
  const { country } = await readLetterhead(db);
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom("mailing_recipients as r")
      .leftJoin("persons as p", "p.id", "r.person_id")
      .leftJoin("companies as c", (join) =>
        join.on((eb) => eb("c.id", "=", eb.fn.coalesce("p.company_id", "r.company_id"))),
      )
      .select([
        "r.id",
        "r.name",
        "r.person_id",
        "p.street as p_street",
        "p.postcode as p_postcode",
        "p.city as p_city",
        "p.country as p_country",
        "c.name as c_name",
        "c.street as c_street",
        "c.postcode as c_postcode",
        "c.city as c_city",
        "c.country as c_country",
      ])
      .where("r.mailing_id", "=", mailingId)
      .where("r.id", ">", after)
      .orderBy("r.id")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    const values = rows.flatMap((r) => {
      const own: AddressParts | null =
        r.person_id === null
          ? null
          : { street: r.p_street, postcode: r.p_postcode, city: r.p_city, country: r.p_country };
      const company: AddressParts | null =
        r.c_name === null
          ? null
          : { street: r.c_street, postcode: r.c_postcode, city: r.c_city, country: r.c_country };
      const address = postalAddressFor(
        { name: r.name, companyName: r.c_name, isCompanyRow: r.person_id === null },
        own,
        company,
        country,
      );
      return address
        ? [sql`(${String(r.id)}, ${address.lines.join("\n")}, ${address.key}, ${address.postcode})`]
        : [];
    });
    if (values.length === 0) continue;
    // One UPDATE … FROM (VALUES …) per page; both databases name a VALUES list's columns column1, column2, ….
    await sql`update mailing_recipients set postal_address = v.column2, postal_key = v.column3, postcode = v.column4
      from (values ${sql.join(values)}) as v
      where mailing_recipients.id = cast(v.column1 as integer)`.execute(db);
  }
}
