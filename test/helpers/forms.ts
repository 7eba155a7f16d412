// Shared by the forms tests: a published form over the API, and the hosted page's GET and POST as a browser sends them.
import type { FormField } from "../../src/forms/definition.ts";
import { type ApiClient, ok } from "./server.ts";

export const label = (nb: string, en = nb) => ({ nb, en });

/** A free choice field with two options. */
export const MENU_FIELD: FormField = {
  kind: "free",
  key: "meny",
  type: "choice",
  label: label("Meny"),
  required: false,
  prefill: false,
  options: [label("Fisk"), label("Vegetar")],
};

export const FIELDS: FormField[] = [
  {
    kind: "mapped",
    key: "email",
    maps: "email",
    label: label("E-post", "E-mail"),
    required: true,
    prefill: false,
  },
  {
    kind: "mapped",
    key: "fornavn",
    maps: "first_name",
    label: label("Fornavn", "First name"),
    help: label("Slik du vil bli tiltalt", "As you want to be addressed"),
    required: true,
    prefill: true,
  },
  MENU_FIELD,
  { kind: "free", key: "dato", type: "date", label: label("Dato"), required: false, prefill: false },
  { kind: "free", key: "kilde", type: "hidden", label: label("Kilde"), required: false, prefill: true },
];

export type Form = {
  id: number;
  slug: string;
  publishedVersion: number;
  hostedUrl: string;
  embed: { iframe: string; script: string };
};

export async function publishedForm(
  admin: ApiClient,
  name: string,
  changes: Record<string, unknown> = {},
): Promise<Form> {
  const form = await ok<Form>(admin.send("POST", "/api/forms", { name, language: "nb" }), 201);
  await ok(admin.send("PUT", `/api/forms/${form.id}`, { definition: { fields: FIELDS }, ...changes }));
  return ok<Form>(admin.send("POST", `/api/forms/${form.id}/publish`));
}

export type PageAnswer = { status: number; text: string; headers: Headers };

export async function getPage(url: string, path: string): Promise<PageAnswer> {
  const response = await fetch(`${url}${path}`, { redirect: "manual" });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export function stampOf(html: string): string {
  const match = /name="_stamp" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no stamp on the page");
  return match[1]!;
}

/** A stamp old enough to pass the minimum fill time: the page is fetched, then the test waits as a person would. */
export async function agedStamp(url: string, slug: string): Promise<string> {
  const stamp = stampOf((await getPage(url, `/f/${slug}`)).text);
  await new Promise((resolve) => setTimeout(resolve, 3100));
  return stamp;
}

export async function postPage(
  url: string,
  path: string,
  values: Record<string, string | string[]>,
): Promise<PageAnswer> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: body.toString(),
    redirect: "manual",
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}
