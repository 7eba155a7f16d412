import { describe, expect, it } from "vitest";
import type { FormField, MappedField } from "./definition.ts";
import { planPersonUpdate } from "./person-update.ts";

const text = (nb: string, en = nb) => ({ nb, en });
const mapped = (key: string, maps: MappedField): FormField => ({
  key,
  label: text(key),
  required: false,
  kind: "mapped",
  maps,
  prefill: false,
});

const FIELDS: FormField[] = [
  mapped("fornavn", "first_name"),
  mapped("etternavn", "last_name"),
  mapped("epost", "email"),
  mapped("mobil", "mobile"),
  mapped("firma", "company_name"),
  mapped("bransje", "custom:7"),
  {
    key: "samtykke",
    label: text("Samtykke", "Consent"),
    required: false,
    kind: "consent",
    purposeKey: "e-marketing",
    text: text("Ja, send meg nyheter", "Yes, send me news"),
  },
  {
    key: "nyhetsbrev",
    label: text("Nyhetsbrev"),
    required: false,
    kind: "subscription",
    subscriptionTypeId: 3,
  },
  {
    key: "melding",
    label: text("Melding"),
    required: false,
    kind: "free",
    type: "long-text",
    prefill: false,
  },
];

describe("planPersonUpdate", () => {
  it("writes every answered field of a new person, and takes the e-mail and company name aside", () => {
    const plan = planPersonUpdate(
      FIELDS,
      {
        fornavn: " Kari ",
        etternavn: "Nordmann",
        epost: "kari@example.no",
        firma: "Fjord AS",
        melding: "hei",
      },
      "nb",
      null,
      [],
    );
    expect(plan.set).toEqual({ first_name: "Kari", last_name: "Nordmann" });
    expect(plan.email).toBe("kari@example.no");
    expect(plan.companyName).toBe("Fjord AS");
    expect(plan.kept).toEqual([]);
  });

  it("fills empty CRM fields but never overwrites one with a value unless the field allows it", () => {
    const current = { first_name: "Kari", last_name: null, mobile: "+4741234567", "custom:7": "" };
    const answers = {
      fornavn: "Karianne",
      etternavn: "Nordmann",
      mobile: "",
      mobil: "99999999",
      bransje: "IT",
    };
    const strict = planPersonUpdate(FIELDS, answers, "nb", current, []);
    expect(strict.set).toEqual({ last_name: "Nordmann", "custom:7": "IT" });
    expect(strict.kept).toEqual(["first_name", "mobile"]);
    const lenient = planPersonUpdate(FIELDS, answers, "nb", current, ["first_name"]);
    expect(lenient.set).toEqual({ first_name: "Karianne", last_name: "Nordmann", "custom:7": "IT" });
    expect(lenient.kept).toEqual(["mobile"]);
  });

  it("never clears a field with a blank answer, even an overwritable one", () => {
    const plan = planPersonUpdate(
      FIELDS,
      { fornavn: "  ", etternavn: "" },
      "nb",
      { first_name: "Kari", last_name: "Nordmann" },
      ["first_name", "last_name"],
    );
    expect(plan.set).toEqual({});
  });

  it("an answer equal to the CRM value (ignoring case) is neither written nor reported as kept", () => {
    const plan = planPersonUpdate(FIELDS, { fornavn: "KARI" }, "nb", { first_name: "Kari" }, []);
    expect(plan).toMatchObject({ set: {}, kept: [] });
  });

  it("sets the company only when the person has none or it may be overwritten", () => {
    expect(planPersonUpdate(FIELDS, { firma: "Ny AS" }, "nb", { company_name: null }, []).companyName).toBe(
      "Ny AS",
    );
    const kept = planPersonUpdate(FIELDS, { firma: "Ny AS" }, "nb", { company_name: "Gammel AS" }, []);
    expect(kept.companyName).toBeNull();
    expect(kept.kept).toEqual(["company_name"]);
    expect(
      planPersonUpdate(FIELDS, { firma: "Ny AS" }, "nb", { company_name: "Gammel AS" }, ["company_name"])
        .companyName,
    ).toBe("Ny AS");
  });

  it("a ticked consent gives the purpose and the check-box's words in the form's language; unticked gives nothing", () => {
    expect(planPersonUpdate(FIELDS, { samtykke: "on", nyhetsbrev: "on" }, "en", null, [])).toMatchObject({
      consents: [{ purposeKey: "e-marketing", text: "Yes, send me news" }],
      subscriptionTypeIds: [3],
    });
    expect(planPersonUpdate(FIELDS, { samtykke: "", nyhetsbrev: "" }, "nb", null, [])).toMatchObject({
      consents: [],
      subscriptionTypeIds: [],
    });
    expect(planPersonUpdate(FIELDS, {}, "nb", null, [])).toMatchObject({
      consents: [],
      subscriptionTypeIds: [],
    });
  });
});
