import { describe, expect, it } from "vitest";
import {
  countSms,
  encodeGsm7,
  encodeUcs2,
  GSM7_BASIC,
  normalizeForGsm7,
  smsEncodingOf,
  splitSms,
} from "./segments.ts";

const gsm = (n: number) => "a".repeat(n);
const ucs = (n: number) => "ł".repeat(n);

describe("SMS segments", () => {
  it("knows the 128 septets of the GSM 03.38 default alphabet", () => {
    expect(GSM7_BASIC.length).toBe(128);
    expect(encodeGsm7("@£ÆæßÉ¡§¿àÄÖÑÜäöñü")).toEqual(
      Buffer.from([
        0x00, 0x01, 0x1c, 0x1d, 0x1e, 0x1f, 0x40, 0x5f, 0x60, 0x7f, 0x5b, 0x5c, 0x5d, 0x5e, 0x7b, 0x7c, 0x7d,
        0x7e,
      ]),
    );
  });

  it("keeps Norwegian and other default-alphabet letters in GSM-7", () => {
    expect(smsEncodingOf("Hei Åse, Ærlig og Øystein: blåbærsyltetøy, É é Ä Ö Ñ Ü ä ö ñ ü à ß")).toBe("gsm7");
  });

  it("counts one part up to 160 GSM-7 characters and two from 161", () => {
    expect(countSms(gsm(160))).toEqual({
      encoding: "gsm7",
      characters: 160,
      parts: 1,
      perPart: 160,
      remaining: 0,
    });
    expect(countSms(gsm(161))).toEqual({
      encoding: "gsm7",
      characters: 161,
      parts: 2,
      perPart: 153,
      remaining: 145,
    });
    expect(countSms(gsm(306)).parts).toBe(2);
    expect(countSms(gsm(307)).parts).toBe(3);
  });

  it("splits a 161-character text into 153 + 8", () => {
    const { encoding, parts } = splitSms(gsm(161));
    expect(encoding).toBe("gsm7");
    expect(parts.map((p) => p.length)).toEqual([153, 8]);
  });

  it("counts one part up to 70 UCS-2 code units and two from 71, 67 a part", () => {
    expect(countSms(ucs(70))).toEqual({
      encoding: "ucs2",
      characters: 70,
      parts: 1,
      perPart: 70,
      remaining: 0,
    });
    expect(countSms(ucs(71))).toEqual({
      encoding: "ucs2",
      characters: 71,
      parts: 2,
      perPart: 67,
      remaining: 63,
    });
    expect(countSms(ucs(134)).parts).toBe(2);
    expect(countSms(ucs(135)).parts).toBe(3);
    expect(splitSms(ucs(71)).parts.map((p) => p.length)).toEqual([67, 4]);
  });

  it("counts the euro sign and the other extension characters as 2", () => {
    expect(countSms("€").characters).toBe(2);
    expect(countSms("^{}\\[~]|€").characters).toBe(18);
    expect(countSms(`${gsm(158)}€`).parts).toBe(1);
    expect(countSms(`${gsm(159)}€`).parts).toBe(2);
    expect(encodeGsm7("€[")).toEqual(Buffer.from([0x1b, 0x65, 0x1b, 0x3c]));
  });

  it("never cuts an escape pair at a part boundary", () => {
    const text = `${gsm(152)}€${gsm(20)}`;
    const { parts } = splitSms(text);
    expect(parts[0]).toBe(gsm(152));
    expect(parts[1]).toBe(`€${gsm(20)}`);
    expect(parts.map((p) => encodeGsm7(p).length)).toEqual([152, 22]);
    expect(countSms(text)).toMatchObject({ characters: 174, parts: 2, remaining: 153 - 22 });
  });

  it("makes a text with an emoji UCS-2 and never splits the emoji", () => {
    expect(smsEncodingOf("Takk 🎉")).toBe("ucs2");
    const text = `${"a".repeat(66)}🎉${"b".repeat(10)}`;
    const { encoding, parts } = splitSms(text);
    expect(encoding).toBe("ucs2");
    expect(parts).toEqual(["a".repeat(66), `🎉${"b".repeat(10)}`]);
    expect(countSms(text)).toMatchObject({ characters: 78, parts: 2 });
  });

  it("says an empty text needs no parts", () => {
    expect(countSms("")).toEqual({ encoding: "gsm7", characters: 0, parts: 0, perPart: 160, remaining: 160 });
    expect(splitSms("").parts).toEqual([]);
  });

  it("encodes UCS-2 as UTF-16 big-endian, surrogate pairs included", () => {
    expect(encodeUcs2("Ał🎉")).toEqual(Buffer.from([0x00, 0x41, 0x01, 0x42, 0xd8, 0x3c, 0xdf, 0x89]));
  });

  it("refuses to encode a character outside GSM-7 instead of sending '@'", () => {
    expect(() => encodeGsm7("ł")).toThrow(/GSM 03.38/);
  });

  it("normalises “smart quotes”, dashes, ellipses and non-breaking spaces into GSM-7", () => {
    const text = "“Velkommen” – sa ‘Åse’ «i dag»…\u00a0Svar STOPP";
    const normalised = normalizeForGsm7(text);
    expect(normalised).toBe('"Velkommen" - sa \'Åse\' "i dag"... Svar STOPP');
    expect(smsEncodingOf(text)).toBe("ucs2");
    expect(smsEncodingOf(normalised)).toBe("gsm7");
  });

  it("leaves letters alone when normalising", () => {
    expect(normalizeForGsm7("Łódź æøå")).toBe("Łódź æøå");
  });
});
