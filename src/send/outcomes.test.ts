import { describe, expect, it } from "vitest";
import { isHardStatus, outcomeOfFailure, parseEnhancedStatus } from "./outcomes.ts";

describe("parseEnhancedStatus", () => {
  it("reads the status that follows the reply code", () => {
    expect(parseEnhancedStatus("550 5.1.1 <ase@example.com>: Recipient address rejected")).toBe("5.1.1");
    expect(parseEnhancedStatus("451 4.7.1 Greylisted, try again later")).toBe("4.7.1");
    expect(parseEnhancedStatus("250 2.0.0 Ok: queued as 4B9C21")).toBe("2.0.0");
  });

  it("reads it from a multi-line reply", () => {
    expect(parseEnhancedStatus("550-5.7.1 Our system has detected\n550 5.7.1 an unusual rate")).toBe("5.7.1");
  });

  it("reads a status written later in the text", () => {
    expect(parseEnhancedStatus("550 Requested action not taken: mailbox unavailable (#5.1.1)")).toBe("5.1.1");
    expect(parseEnhancedStatus("5.2.2 Mailbox full")).toBe("5.2.2");
  });

  it("drops leading zeros and keeps three-digit details", () => {
    expect(parseEnhancedStatus("550 5.01.010 x")).toBe("5.1.10");
  });

  it("does not read IP addresses, versions or a status of another class than the reply code", () => {
    expect(parseEnhancedStatus("554 Your address 10.5.1.1 is listed")).toBeNull();
    expect(parseEnhancedStatus("421 mx.example.net ESMTP Postfix 3.5.1 closing")).toBeNull();
    expect(parseEnhancedStatus("250 Ok, although 5.1.1 was mentioned")).toBeNull();
    expect(parseEnhancedStatus("550 Mailbox unavailable")).toBeNull();
    expect(parseEnhancedStatus("")).toBeNull();
  });
});

describe("isHardStatus", () => {
  it("counts a permanently bad address as hard: 5.1.x and 5.2.1", () => {
    for (const s of ["5.1.0", "5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.2.1"])
      expect(isHardStatus(s), s).toBe(true);
  });

  it("counts a full mailbox, policy refusals, other 5.x.x and every 4.x.x as soft", () => {
    for (const s of [
      "5.2.2",
      "5.2.0",
      "5.2.3",
      "5.7.1",
      "5.7.26",
      "5.0.0",
      "5.3.4",
      "5.4.1",
      "4.1.1",
      "4.2.1",
    ]) {
      expect(isHardStatus(s), s).toBe(false);
    }
  });

  it("counts the sender-address statuses 5.1.7 and 5.1.8 as soft: they say nothing about the recipient", () => {
    expect(isHardStatus("5.1.7")).toBe(false);
    expect(isHardStatus("5.1.8")).toBe(false);
  });

  it("counts a missing status as soft", () => {
    expect(isHardStatus(null)).toBe(false);
  });
});

describe("outcomeOfFailure", () => {
  const rcpt = (response: string) => ({
    message: "Can't send mail - all recipients were rejected",
    code: "EENVELOPE",
    responseCode: Number(response.slice(0, 3)),
    response,
    command: "RCPT TO",
  });

  it("makes a 5xx to a recipient permanent, with its status", () => {
    expect(outcomeOfFailure(rcpt("550 5.1.1 No such user"), false)).toEqual({
      kind: "permanent",
      code: 550,
      status: "5.1.1",
      reply: "550 5.1.1 No such user",
    });
  });

  it("makes a 4xx temporary, even one that came after the data", () => {
    expect(outcomeOfFailure(rcpt("451 4.3.0 Try later"), false)).toMatchObject({
      kind: "temporary",
      code: 451,
    });
    const afterData = {
      message: "Message failed",
      code: "EMESSAGE",
      responseCode: 452,
      response: "452 4.3.1 Full",
      command: "DATA",
    };
    expect(outcomeOfFailure(afterData, true)).toEqual({
      kind: "temporary",
      code: 452,
      status: "4.3.1",
      reply: "452 4.3.1 Full",
    });
  });

  it("makes a 5xx reply to the data permanent even though the data was handed over", () => {
    const err = {
      message: "Message failed",
      code: "EMESSAGE",
      responseCode: 552,
      response: "552 5.2.2 Full",
      command: "DATA",
    };
    expect(outcomeOfFailure(err, true)).toMatchObject({ kind: "permanent", code: 552, status: "5.2.2" });
  });

  it("makes a refused login temporary: the account is broken, not the recipient's address", () => {
    const err = {
      message: "Invalid login",
      code: "EAUTH",
      responseCode: 535,
      response: "535 5.7.8 Bad credentials",
      command: "AUTH PLAIN",
    };
    expect(outcomeOfFailure(err, false)).toMatchObject({ kind: "temporary", code: 535, status: "5.7.8" });
  });

  it("makes 503 (bad sequence of commands) temporary", () => {
    expect(outcomeOfFailure(rcpt("503 5.5.1 Error: need MAIL command"), false)).toMatchObject({
      kind: "temporary",
    });
  });

  it("makes a broken connection temporary before the data was handed over and unknown after", () => {
    const err = { message: "Connection closed unexpectedly", code: "ECONNECTION", command: "CONN" };
    expect(outcomeOfFailure(err, false)).toEqual({
      kind: "temporary",
      code: null,
      status: null,
      reply: err.message,
    });
    expect(outcomeOfFailure(err, true)).toEqual({ kind: "unknown", reply: err.message });
    const timeout = { message: "Timeout", code: "ETIMEDOUT", command: "CONN" };
    expect(outcomeOfFailure(timeout, true)).toMatchObject({ kind: "unknown" });
  });
});
