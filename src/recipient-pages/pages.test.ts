import { parse } from "parse5";
import { describe, expect, it } from "vitest";
import { subscriptionsPage, unknownLinkPage, unsubscribedPage, unsubscribeQuestionPage } from "./pages.ts";
import type { SubscriptionsTarget } from "./subscriptions.ts";

type Node = {
  nodeName: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: Node[];
  value?: string;
};
const all = (node: Node): Node[] => [node, ...(node.childNodes ?? []).flatMap(all)];
const attr = (node: Node, name: string) => node.attrs?.find((a) => a.name === name)?.value;
const text = (node: Node): string =>
  node.nodeName === "#text" ? (node.value ?? "") : (node.childNodes ?? []).map(text).join("");
const nodes = (html: string) => all(parse(html) as unknown as Node);

const target = (over: Partial<SubscriptionsTarget> = {}): SubscriptionsTarget => ({
  deliveryId: 1,
  mailingId: 1,
  mailingTypeId: 1,
  personId: 1,
  email: "kari@example.no",
  language: "nb",
  types: [
    { id: 3, name: "Nyhetsbrev", description: "Hver måned", subscribed: true },
    { id: 4, name: "Kurs", description: null, subscribed: false },
  ],
  allMarketingWithdrawn: false,
  ...over,
});

describe("the recipient's pages", () => {
  it.each([
    ["unsubscribe question", unsubscribeQuestionPage("en", "a@b.no", null), "en", "Unsubscribe"],
    ["unsubscribed", unsubscribedPage("nb"), "nb", "Meld deg av"],
    ["unknown link", unknownLinkPage(), "nb", "Ugyldig lenke"],
    ["subscriptions", subscriptionsPage(target({ language: "en" }), false), "en", "Your subscriptions"],
  ])("%s: has the language, a title, and one h1 inside the main landmark", (_name, html, lang, title) => {
    const tree = nodes(html);
    expect(attr(tree.find((n) => n.nodeName === "html")!, "lang")).toBe(lang);
    expect(text(tree.find((n) => n.nodeName === "title")!)).toBe(title);
    const main = tree.filter((n) => n.nodeName === "main");
    expect(main).toHaveLength(1);
    expect(all(main[0]!).filter((n) => n.nodeName === "h1")).toHaveLength(1);
  });

  it("escapes the address and the subscription type's name", () => {
    const html = unsubscribeQuestionPage("nb", "<b>x</b>@example.no", `"<script>"`);
    expect(html).not.toContain("<b>x</b>");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&#60;b&#62;x&#60;/b&#62;@example.no");
  });

  it("labels every check-box, ties descriptions to them, groups them with a legend, and announces a save", () => {
    const tree = nodes(subscriptionsPage(target(), true));
    const boxes = tree.filter((n) => n.nodeName === "input" && attr(n, "type") === "checkbox");
    expect(boxes.map((b) => attr(b, "id"))).toEqual(["type-3", "type-4", "all-marketing"]);
    for (const box of boxes) {
      const label = tree.find((n) => n.nodeName === "label" && attr(n, "for") === attr(box, "id"));
      expect(label && text(label).trim().length).toBeGreaterThan(0);
    }
    const help = attr(boxes[0]!, "aria-describedby");
    expect(text(tree.find((n) => attr(n, "id") === help)!)).toBe("Hver måned");
    expect(attr(boxes[1]!, "aria-describedby")).toBeUndefined();
    expect(tree.filter((n) => n.nodeName === "legend").map(text)).toEqual([
      "Abonnementer",
      "All markedsføring",
    ]);
    expect(text(tree.find((n) => attr(n, "role") === "status")!)).toBe("Valgene dine er lagret.");
  });

  it("shows no empty group when the person has no subscription types, and no box once all marketing is withdrawn", () => {
    const tree = nodes(subscriptionsPage(target({ types: [], allMarketingWithdrawn: true }), false));
    expect(tree.filter((n) => n.nodeName === "fieldset")).toHaveLength(0);
    expect(tree.filter((n) => n.nodeName === "input" && attr(n, "type") === "checkbox")).toHaveLength(0);
    expect(text(tree.find((n) => n.nodeName === "main")!)).toContain(
      "Du får ingen markedsføring på e-post fra oss.",
    );
  });
});
