import { describe, expect, it } from "vitest";
import { jpegHeaderOnly, solidPng } from "../../test/helpers/png.ts";
import { checkPng, readImageHeader } from "./letter-images.ts";

describe("readImageHeader", () => {
  it("reads the size from a PNG's IHDR and from a JPEG's start-of-frame", () => {
    expect(readImageHeader(solidPng(33, 7))).toEqual({ kind: "png", width: 33, height: 7 });
    expect(readImageHeader(jpegHeaderOnly(1200, 800))).toEqual({ kind: "jpeg", width: 1200, height: 800 });
  });

  it("knows neither a GIF nor a truncated JPEG", () => {
    expect(readImageHeader(Buffer.from("GIF89a........"))).toBeNull();
    expect(readImageHeader(jpegHeaderOnly(10, 10).subarray(0, 12))).toBeNull();
  });
});

describe("checkPng", () => {
  it("passes a PNG whose pixel data inflates to the rows its header promises", () => {
    expect(() => checkPng(solidPng(40, 20))).not.toThrow();
    expect(() => checkPng(solidPng(40, 20, [10, 20, 30, 128]))).not.toThrow();
  });

  it("throws for pixel data that is no deflate stream, or a file cut short", () => {
    expect(() => checkPng(solidPng(40, 20, [10, 20, 30, 128], true))).toThrow(
      "the PNG image's pixel data is damaged",
    );
    const png = solidPng(40, 20);
    expect(() => checkPng(png.subarray(0, png.length - 20))).toThrow("the PNG image is cut short");
  });

  it("leaves what is not a PNG to pdfkit's own checks", () => {
    expect(() => checkPng(Buffer.from("GIF89a"))).not.toThrow();
  });
});
