import { describe, expect, it } from "vitest";
import { recipientListChanged } from "./recipient-sources.ts";

const stored = { selectionId: 4, projectId: null, subscriptionTypeId: 2 };

describe("an edit changes the recipient list", () => {
  it("when it sends any options, even the ones already stored", () => {
    expect(recipientListChanged(stored, { options: {} })).toBe(true);
    expect(recipientListChanged(stored, { options: { onePerAddress: true } })).toBe(true);
  });

  it("when it links another selection, project or subscription type, or unlinks one", () => {
    expect(recipientListChanged(stored, { selectionId: 5 })).toBe(true);
    expect(recipientListChanged(stored, { selectionId: null })).toBe(true);
    expect(recipientListChanged(stored, { projectId: 9 })).toBe(true);
    expect(recipientListChanged(stored, { subscriptionTypeId: null })).toBe(true);
  });

  it("not when it sends the links already stored", () => {
    expect(recipientListChanged(stored, { selectionId: 4, projectId: null, subscriptionTypeId: 2 })).toBe(
      false,
    );
  });

  it("not when it edits content, sender or tracking", () => {
    expect(
      recipientListChanged(stored, {
        name: "Vår",
        subject: "Hei",
        fromAddress: "post@example.no",
        content: "<p>[[link.unsubscribe]]</p>",
        trackOpens: false,
      }),
    ).toBe(false);
  });
});
