import { describe, expect, it } from "vitest";
import { keyringFromSecret, verifyDeliveryToken, verifyLinkToken } from "../deliveries/tokens.ts";
import { fillTrackingMarkers, findLinks, isTrackable, markOpenPixel, markTrackedLinks } from "./links.ts";

const keys = keyringFromSecret("links-test-secret");

describe("finding and rewriting links", () => {
  const html = `<html><body><a
  class="cta" href='https://a.example/x?p=1&amp;q=2' title="A">A</a>
<a href="[[link.unsubscribe]]">U</a><a href="mailto:x@y.example">M</a><a href="#top">T</a>
<a href="https://b.example/[[customer.id]]" data-x='1'>B</a><a name="anchor">no href</a></body></html>`;

  it("finds each href with its decoded URL and the offsets of the attribute", () => {
    const links = findLinks(html);
    expect(links.map((l) => l.url)).toEqual([
      "https://a.example/x?p=1&q=2",
      "[[link.unsubscribe]]",
      "mailto:x@y.example",
      "#top",
      "https://b.example/[[customer.id]]",
    ]);
    expect(html.slice(links[0]!.start, links[0]!.end)).toBe("href='https://a.example/x?p=1&amp;q=2'");
  });

  it("tracks web links only, and under 'registered' only the registered ones", () => {
    const none = new Set<string>();
    expect(isTrackable("https://a.example/", "all", none)).toBe(true);
    expect(isTrackable("[[customer.website]]", "all", none)).toBe(true);
    for (const url of [
      "mailto:x@y",
      "tel:+47",
      "#top",
      "javascript:alert(1)",
      "[[link.unsubscribe]]",
      "ftp://x",
      "",
    ])
      expect(isTrackable(url, "all", none), url).toBe(false);
    expect(isTrackable("https://a.example/", "none", none)).toBe(false);
    expect(isTrackable("https://a.example/", "registered", none)).toBe(false);
    expect(isTrackable("https://a.example/", "registered", new Set(["https://a.example/"]))).toBe(true);
  });

  it("changes only the href text of tracked links and fills in signed URLs per delivery", () => {
    const ids = new Map([
      ["https://a.example/x?p=1&q=2", 7],
      ["https://b.example/[[customer.id]]", 8],
    ]);
    const marked = markOpenPixel(markTrackedLinks(html, ids));
    expect(marked).toContain('class="cta" href="utsend-tracked-link:7" title="A"');
    expect(marked).toContain(`href="utsend-tracked-link:8" data-x='1'`);
    expect(marked).toContain('<a href="mailto:x@y.example">');
    expect(marked.indexOf("utsend-open-pixel")).toBeLessThan(marked.indexOf("</body>"));
    const filled = fillTrackingMarkers(marked, "https://t.example", keys, 42);
    const tokens = [...filled.matchAll(/https:\/\/t\.example\/t\/c\/([^"]+)"/g)].map((m) => m[1]!);
    expect(tokens.map((t) => verifyLinkToken(keys, t))).toEqual([
      { deliveryId: 42, linkId: 7 },
      { deliveryId: 42, linkId: 8 },
    ]);
    const open = /\/t\/o\/([^"]+)\.gif/.exec(filled)![1]!;
    expect(verifyDeliveryToken(keys, "open", open)).toBe(42);
  });
});
