import { describe, expect, it } from "vitest";
import { addressedToCompany, postalAddressFor, postcodeSortKey } from "./postal-address.ts";

const oslo = { street: "Storgata 1", postcode: "0155", city: "Oslo", country: "NO" };
const bergen = { street: "Bryggen 5", postcode: "5003", city: "Bergen", country: "Norge" };

describe("a letter's postal address", () => {
  it("uses the person's own address before the company's, without the company line", () => {
    const a = postalAddressFor(
      { name: "Åse Øvre", companyName: "Fjord AS", isCompanyRow: false },
      oslo,
      bergen,
      "NO",
    );
    expect(a?.lines).toEqual(["Åse Øvre", "Storgata 1", "0155 OSLO"]);
    expect(addressedToCompany(a!.key)).toBe(false);
    expect(a?.postcode).toBe(postcodeSortKey("0155"));
  });

  it("falls back to the company's address, naming the company (the person goes on the attention line)", () => {
    const a = postalAddressFor(
      { name: "Åse Øvre", companyName: "Fjord AS", isCompanyRow: false },
      null,
      bergen,
      "NO",
    );
    expect(a?.lines).toEqual(["Fjord AS", "Bryggen 5", "5003 BERGEN"]);
    expect(a?.toCompany).toBe(true);
    expect(addressedToCompany(a!.key)).toBe(true);
  });

  it("treats an address without a street, or without postcode and city, as no address", () => {
    const partial = { street: "", postcode: "0155", city: "Oslo", country: null };
    expect(
      postalAddressFor({ name: "A", companyName: null, isCompanyRow: false }, partial, null, "NO"),
    ).toBeNull();
    const noTown = { street: "Storgata 1", postcode: null, city: " ", country: null };
    expect(
      postalAddressFor({ name: "A", companyName: null, isCompanyRow: false }, noTown, null, "NO"),
    ).toBeNull();
  });

  it("prints the country only abroad", () => {
    const sweden = { street: "Drottninggatan 2", postcode: "111 51", city: "Stockholm", country: "Sverige" };
    const a = postalAddressFor({ name: "Bo", companyName: null, isCompanyRow: false }, sweden, null, "NO");
    expect(a?.lines.at(-1)).toBe("SVERIGE");
    const home = postalAddressFor({ name: "Bo", companyName: null, isCompanyRow: false }, sweden, null, "SE");
    expect(home?.lines.at(-1)).toBe("111 51 STOCKHOLM");
  });

  it("gives two people at one company address the same key, and people at different addresses different keys", () => {
    const one = postalAddressFor(
      { name: "Ola", companyName: "Fjord AS", isCompanyRow: false },
      null,
      bergen,
      "NO",
    );
    const two = postalAddressFor(
      { name: "Kari", companyName: "Fjord AS", isCompanyRow: false },
      null,
      bergen,
      "NO",
    );
    const three = postalAddressFor(
      { name: "Kari", companyName: null, isCompanyRow: false },
      oslo,
      null,
      "NO",
    );
    expect(one?.key).toBe(two?.key);
    expect(three?.key).not.toBe(one?.key);
  });

  it("sorts postcodes of digits as numbers, and others after them", () => {
    const keys = ["10115", "3179", "0155", "SW1A 1AA", "111 51"].map(postcodeSortKey).sort();
    expect(keys).toEqual(["0155", "3179", "10115", "111 51", "SW1A 1AA"].map(postcodeSortKey));
  });
});
