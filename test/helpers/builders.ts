// Builders with defaults, so a test states only what it is about.

import { createCompany } from "../../src/companies/companies.ts";
import type { Db } from "../../src/db/connect.ts";
import { createPerson, type PersonInput } from "../../src/persons/persons.ts";

let counter = 0;

export async function aPerson(db: Db, input: PersonInput & { email?: string } = {}) {
  counter++;
  const { email, ...rest } = input;
  return createPerson(
    db,
    {
      firstName: "Test",
      lastName: `Person${counter}`,
      emails:
        email === undefined
          ? [{ address: `person${counter}@example.no` }]
          : email
            ? [{ address: email }]
            : [],
      ...rest,
    },
    { defaultCountry: "NO" },
  );
}

export async function aCompany(db: Db, name = `Firma ${++counter} AS`, city = "Oslo") {
  return createCompany(db, { name, city }, "NO");
}
