import { describe, expect, it } from "vitest";
import { isMobileNumber, parseNumberList, toE164 } from "./phone.ts";

describe("toE164", () => {
  it("reads a Norwegian number without a country code as Norwegian", () => {
    expect(toE164("912 34 567")).toBe("+4791234567");
  });

  it("reads the 00 international prefix", () => {
    expect(toE164("0047 912 34 567")).toBe("+4791234567");
  });

  it("keeps a foreign number's own country code", () => {
    expect(toE164("+46 70 123 45 67")).toBe("+46701234567");
  });

  it("uses the given default country", () => {
    expect(toE164("070-123 45 67", "SE")).toBe("+46701234567");
  });

  it.each(["garbage", "", "123", "+47 912", "912 34 567 890 12"])("gives null for %j", (raw) => {
    expect(toE164(raw)).toBeNull();
  });
});

describe("isMobileNumber", () => {
  it("is true for a Norwegian mobile number", () => {
    expect(isMobileNumber("+4791234567")).toBe(true);
  });

  it("is false for a Norwegian landline", () => {
    expect(isMobileNumber("22 12 34 56")).toBe(false);
  });

  it("is false for something that is not a number", () => {
    expect(isMobileNumber("hei")).toBe(false);
  });
});

describe("parseNumberList", () => {
  it("reads numbers separated by semicolons, commas and line breaks", () => {
    expect(parseNumberList("912 34 567; +46 70 123 45 67,\n0047 412 34 567")).toEqual({
      numbers: ["+4791234567", "+46701234567", "+4741234567"],
      problems: [],
    });
  });

  it("lists each number once", () => {
    expect(parseNumberList("912 34 567; +4791234567").numbers).toEqual(["+4791234567"]);
  });

  it("says where a bad entry is, skipping empty ones", () => {
    expect(parseNumberList("912 34 567;; hei ; 22 12 34 56;")).toEqual({
      numbers: ["+4791234567"],
      problems: [
        { position: 2, value: "hei", reason: "not-a-phone", message: '"hei" is not a valid phone number' },
        {
          position: 3,
          value: "22 12 34 56",
          reason: "not-a-mobile",
          message: "+4722123456 is not a mobile number, so it cannot receive SMS",
        },
      ],
    });
  });

  it("gives nothing for an empty field", () => {
    expect(parseNumberList(" ; \n")).toEqual({ numbers: [], problems: [] });
  });
});
