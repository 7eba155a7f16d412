// Every route of the web router, read from web/src/app/App.tsx itself, so that a page added there is visited by the
// accessibility, keyboard and reflow tests without anyone listing it again.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { ApiClient } from "./server.ts";

const APP_FILE = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "web", "src", "app", "App.tsx");

export type WebRoute = {
  /** As the router declares it, e.g. "/persons/:id/edit"; "*" is the not-found page. */
  path: string;
  /** The element's component name, e.g. "PersonEditPage". */
  component: string;
  /** Whether it sits inside a guard that needs a session (RequireSession). */
  signedIn: boolean;
};

/** The routes of the router's JSX in `source` (App.tsx's text), with nested paths joined. */
export function routesOf(source: string): WebRoute[] {
  const file = ts.createSourceFile("App.tsx", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const routes: WebRoute[] = [];
  const attribute = (element: ts.JsxOpeningLikeElement, name: string) =>
    element.attributes.properties.find(
      (p): p is ts.JsxAttribute => ts.isJsxAttribute(p) && p.name.getText(file) === name,
    );
  const componentOf = (element: ts.JsxOpeningLikeElement): string => {
    const init = attribute(element, "element")?.initializer;
    if (!init || !ts.isJsxExpression(init) || !init.expression) return "";
    const jsx = init.expression;
    if (ts.isJsxSelfClosingElement(jsx)) return jsx.tagName.getText(file);
    if (ts.isJsxElement(jsx)) return jsx.openingElement.tagName.getText(file);
    return "";
  };
  const visit = (node: ts.Node, base: string, signedIn: boolean) => {
    if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node)) {
      const opening = ts.isJsxElement(node) ? node.openingElement : node;
      if (opening.tagName.getText(file) === "Route") {
        const pathInit = attribute(opening, "path")?.initializer;
        const own = pathInit && ts.isStringLiteral(pathInit) ? pathInit.text : undefined;
        const isIndex = attribute(opening, "index") !== undefined;
        const component = componentOf(opening);
        const guarded = signedIn || component === "RequireSession";
        const full =
          own === undefined
            ? base
            : own === "*" || own.startsWith("/")
              ? own
              : `${base.replace(/\/$/, "")}/${own}`;
        if ((own !== undefined || isIndex) && component !== "Navigate") {
          routes.push({ path: isIndex ? base || "/" : full, component, signedIn: guarded });
        }
        if (ts.isJsxElement(node)) for (const child of node.children) visit(child, full, guarded);
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, base, signedIn));
  };
  visit(file, "", false);
  return routes.filter((route) => !(route.component === "Navigate"));
}

/** The web app's routes, read from App.tsx. */
export function webRoutes(): WebRoute[] {
  return routesOf(readFileSync(APP_FILE, "utf8"));
}

/**
 * The route with its parameters filled from the first item the API lists under the path's first segment
 * ("/persons/:id/edit" → the first of GET /api/persons; the first array of the answer when it has no `items`). A parameter nothing fills is an error that names the
 * route, so a new route with a new kind of parameter is noticed, not skipped.
 */
export async function concreteUrl(api: ApiClient, route: WebRoute): Promise<string> {
  if (route.path === "*") return "/no-such-page";
  if (!route.path.includes(":")) return route.path;
  const segments = route.path.split("/");
  const filled: string[] = [];
  for (const segment of segments) {
    if (!segment.startsWith(":")) {
      filled.push(segment);
      continue;
    }
    const collection = filled.join("/");
    const response = await api.get(`/api${collection}?limit=1`);
    // A page's rows are `items`; a few lists name them after what they hold (`forms`, `submissions`).
    const body = response.body as Record<string, unknown> | null;
    const items = (body?.items ?? Object.values(body ?? {}).find(Array.isArray)) as
      | Array<{ id: number | string }>
      | undefined;
    const id = items?.[0]?.id;
    if (response.status !== 200 || id === undefined) {
      throw new Error(
        `route ${route.path}: nothing fills ${segment} (GET /api${collection}?limit=1 gave ${response.status}, ${items?.length ?? "no"} items)`,
      );
    }
    filled.push(String(id));
  }
  return filled.join("/");
}
