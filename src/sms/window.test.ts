import { describe, expect, it } from "vitest";
import { sendingWindowProblem, sendingWindowState, timeZoneProblem } from "./window.ts";

const at = (iso: string) => new Date(iso);

describe("sendingWindowState", () => {
  it("is open at noon in Oslo", () => {
    expect(sendingWindowState(at("2026-06-10T10:00:00Z"))).toEqual({ open: true });
  });

  it("opens at 08:00 sharp and closes at 21:00 sharp, Oslo time", () => {
    // Summer: Oslo is UTC+2.
    expect(sendingWindowState(at("2026-06-10T06:00:00Z"))).toEqual({ open: true });
    expect(sendingWindowState(at("2026-06-10T05:59:59Z"))).toEqual({
      open: false,
      opensAt: at("2026-06-10T06:00:00Z"),
    });
    expect(sendingWindowState(at("2026-06-10T18:59:59Z"))).toEqual({ open: true });
    expect(sendingWindowState(at("2026-06-10T19:00:00Z"))).toEqual({
      open: false,
      opensAt: at("2026-06-11T06:00:00Z"),
    });
  });

  it("waits until 08:00 the next day after the window closes", () => {
    // Winter: Oslo is UTC+1; 23:30 local on 10 December.
    expect(sendingWindowState(at("2026-12-10T22:30:00Z"))).toEqual({
      open: false,
      opensAt: at("2026-12-11T07:00:00Z"),
    });
  });

  it("opens at 08:00 local time on the morning the clocks go forward", () => {
    // 22:00 on Saturday 28 March 2026 (UTC+1); the clocks go to UTC+2 at 02:00 on Sunday 29 March.
    expect(sendingWindowState(at("2026-03-28T21:00:00Z"))).toEqual({
      open: false,
      opensAt: at("2026-03-29T06:00:00Z"),
    });
  });

  it("opens at 08:00 local time on the morning the clocks go back", () => {
    // 21:30 on Saturday 24 October 2026 (UTC+2); back to UTC+1 at 03:00 on Sunday 25 October.
    expect(sendingWindowState(at("2026-10-24T19:30:00Z"))).toEqual({
      open: false,
      opensAt: at("2026-10-25T07:00:00Z"),
    });
  });

  it("follows the account's own time zone and window", () => {
    const window = { opens: "09:30", closes: "17:00" };
    expect(sendingWindowState(at("2026-06-10T13:00:00Z"), "America/New_York", window)).toEqual({
      open: false,
      opensAt: at("2026-06-10T13:30:00Z"),
    });
    expect(sendingWindowState(at("2026-06-10T13:30:00Z"), "America/New_York", window)).toEqual({
      open: true,
    });
  });

  it("refuses an unknown time zone rather than guessing one", () => {
    expect(() => sendingWindowState(at("2026-06-10T10:00:00Z"), "Europe/Olso")).toThrow(/not a time zone/);
  });
});

describe("timeZoneProblem", () => {
  it.each(["Europe/Oslo", "UTC", "America/New_York"])("accepts %j", (name) => {
    expect(timeZoneProblem(name)).toBeNull();
  });

  it("names an unknown zone", () => {
    expect(timeZoneProblem("Europe/Olso")).toBe(
      '"Europe/Olso" is not a time zone name such as "Europe/Oslo"',
    );
  });

  it("refuses an empty name", () => {
    expect(timeZoneProblem(" ")).toBe("the time zone is empty");
  });
});

describe("sendingWindowProblem", () => {
  it("accepts the default window", () => {
    expect(sendingWindowProblem({ opens: "08:00", closes: "21:00" })).toBeNull();
  });

  it("refuses a time not written HH:MM", () => {
    expect(sendingWindowProblem({ opens: "8:00", closes: "21:00" })).toBe(
      '"8:00" is not a time of day as HH:MM',
    );
  });

  it("refuses a window that closes before it opens", () => {
    expect(sendingWindowProblem({ opens: "21:00", closes: "08:00" })).toMatch(/open before it closes/);
  });
});
