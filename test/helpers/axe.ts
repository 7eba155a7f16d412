// axe-core run inside a Chromium page: the WCAG 2.1 A/AA rules, and only what is serious or critical, each
// violation printed with the page state and the elements so that one run's output says what to fix and where.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** Elements printed per rule and state; the count says how many more there were. */
const SHOWN_NODES = 4;

type AxeNode = { target: unknown[]; html: string; failureSummary?: string };
type AxeViolation = { id: string; impact: string | null; help: string; nodes: AxeNode[] };

/**
 * The serious and critical WCAG 2.1 A/AA violations on the page as it is now, each formatted as
 * "state: rule (impact) help" and the elements that fail. `state` names what was on screen ("nb /persons › dialog").
 */
export async function axeViolations(page: Page, state: string): Promise<string[]> {
  // Evaluated through the DevTools protocol rather than a <script> tag, so the app's Content-Security-Policy,
  // which allows no inline script, does not stop it.
  if (!(await page.evaluate('"axe" in window'))) await page.evaluate(AXE_SOURCE);
  // iframes: false — the frames hold e-mails (preview, outbox), whose HTML is the e-mail's, not the app's; the
  // frame element itself (its title) is still checked.
  const options = { runOnly: { type: "tag", values: TAGS }, iframes: false, resultTypes: ["violations"] };
  const violations = (await page.evaluate(
    `axe.run(document, ${JSON.stringify(options)}).then((result) => result.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const nodes = v.nodes
        .slice(0, SHOWN_NODES)
        .map((n) => `    ${n.target.join(" ")}  ${n.html.replace(/\s+/g, " ").slice(0, 200)}`);
      const more = v.nodes.length > SHOWN_NODES ? [`    … and ${v.nodes.length - SHOWN_NODES} more`] : [];
      return [`${state}: ${v.id} (${v.impact}, ${v.nodes.length}) ${v.help}`, ...nodes, ...more].join("\n");
    });
}
