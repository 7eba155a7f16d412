// Pages for recipients, without sign-in: the unsubscribe page (a GET changes nothing; one button POSTs), the
// RFC 8058 one-click POST that mail clients send, the manage-subscriptions page, and the message shown in a browser.
import type { FastifyPluginAsync } from "fastify";
import {
  choicesFromForm,
  type SubscriptionsTarget,
  saveSubscriptionChoices,
  subscriptionsTarget,
} from "../../recipient-pages/subscriptions.ts";
import { unsubscribe, unsubscribeTarget } from "../../recipient-pages/unsubscribe.ts";
import { viewOnlineHtml } from "../../recipient-pages/view-online.ts";
import type { RouteDeps } from "../schemas.ts";

const TEXT = {
  nb: {
    title: "Meld deg av",
    question: (type: string | null) =>
      type ? `Vil du melde deg av «${type}»?` : "Vil du slutte å få markedsføring på e-post fra oss?",
    button: "Meld meg av",
    done: "Du er meldt av. Det kan ta litt tid før alle utsendelser som allerede er på vei, stopper.",
    unknown: "Lenken er ugyldig.",
  },
  en: {
    title: "Unsubscribe",
    question: (type: string | null) =>
      type ? `Unsubscribe from “${type}”?` : "Stop receiving marketing e-mail from us?",
    button: "Unsubscribe",
    done: "You are unsubscribed. Mail already on its way may still arrive.",
    unknown: "This link is not valid.",
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const SUBSCRIPTIONS_TEXT = {
  nb: {
    title: "Dine abonnementer",
    intro: "Velg hva vi skal sende deg på e-post. Gjelder adressen",
    allMarketing: "Meld meg av all markedsføring på e-post",
    allWithdrawn: "Du får ingen markedsføring på e-post fra oss.",
    save: "Lagre valgene",
    saved: "Valgene dine er lagret.",
  },
  en: {
    title: "Your subscriptions",
    intro: "Choose what we send you by e-mail. For the address",
    allMarketing: "Unsubscribe from all marketing e-mail",
    allWithdrawn: "You receive no marketing e-mail from us.",
    save: "Save my choices",
    saved: "Your choices are saved.",
  },
};

/** The form shows the stored state; `shown` tells the POST which boxes were on the page (an unticked box sends nothing). */
function subscriptionsPage(target: SubscriptionsTarget, saved: boolean): string {
  const t = SUBSCRIPTIONS_TEXT[target.language];
  const types = target.types
    .map(
      (type) => `<label><input type="checkbox" name="type-${type.id}"${type.subscribed ? " checked" : ""}>
<span>${escapeHtml(type.name)}${type.description ? `<small>${escapeHtml(type.description)}</small>` : ""}</span></label>`,
    )
    .join("\n");
  const all = target.allMarketingWithdrawn
    ? `<p>${t.allWithdrawn}</p>`
    : `<label><input type="checkbox" name="all-marketing"><span>${t.allMarketing}</span></label>`;
  return page(
    target.language,
    `<h1>${t.title}</h1>${saved ? `<p class="saved" role="status">${t.saved}</p>` : ""}
<p>${t.intro} ${escapeHtml(target.email)}.</p>
<form method="post"><input type="hidden" name="shown" value="${target.types.map((type) => type.id).join(",")}">
<fieldset>${types}</fieldset><fieldset>${all}</fieldset><button type="submit">${t.save}</button></form>`,
    t.title,
  );
}

function page(lang: "nb" | "en", body: string, title = TEXT[lang].title): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
button{font-size:1rem;padding:.6rem 1.2rem;background:#0b5394;color:#fff;border:0;border-radius:4px;cursor:pointer}
label{display:flex;gap:.6rem;align-items:flex-start;margin:.8rem 0}label small{display:block;color:#52606d}
fieldset{border:0;padding:0;margin:1rem 0}.saved{background:#e3f9e5;padding:.6rem 1rem;border-radius:4px}</style>
</head><body>${body}</body></html>`;
}

export const publicRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    // The one-click POST comes urlencoded or multipart; its body says nothing the URL does not, so /u/ does not read
    // it. The subscriptions page posts an urlencoded form (a ticked box is a field that is present).
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 64 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    app.addContentTypeParser(
      "multipart/form-data",
      { parseAs: "string", bodyLimit: 64 * 1024 },
      (_request, _body, done) => done(null, {}),
    );
    const tokenOf = (params: unknown) => String((params as { token?: string }).token ?? "").slice(0, 100);

    app.get("/u/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await unsubscribeTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8");
      if (!target) return reply.status(404).send(page("nb", `<p>${TEXT.nb.unknown}</p>`));
      const t = TEXT[target.language];
      if (target.alreadyDone) return page(target.language, `<h1>${t.title}</h1><p>${t.done}</p>`);
      return page(
        target.language,
        `<h1>${t.title}</h1><p>${escapeHtml(t.question(target.typeName))}</p>
<p>${escapeHtml(target.email)}</p><form method="post"><button type="submit">${t.button}</button></form>`,
      );
    });

    // Manage subscriptions: a GET only shows; the signed token is the credential, so the form needs no CSRF token.
    app.get("/s/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await subscriptionsTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8");
      if (!target) return reply.status(404).send(page("nb", `<p>${TEXT.nb.unknown}</p>`));
      return subscriptionsPage(target, false);
    });

    app.post("/s/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await subscriptionsTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store").type("text/html; charset=utf-8");
      if (!target) return reply.status(404).send(page("nb", `<p>${TEXT.nb.unknown}</p>`));
      const form = typeof request.body === "object" && request.body !== null ? request.body : {};
      await saveSubscriptionChoices(deps.db, target, choicesFromForm(form as Record<string, unknown>));
      const after = await subscriptionsTarget(deps.db, deps.send.keys, tokenOf(request.params));
      return subscriptionsPage(after ?? target, true);
    });

    app.get("/v/:token", { schema: { hide: true } }, async (request, reply) => {
      const html = await viewOnlineHtml(
        deps.db,
        deps.send.keys,
        deps.send.publicUrl,
        tokenOf(request.params),
      );
      reply.header("cache-control", "no-store");
      if (html === null)
        return reply
          .status(404)
          .type("text/html; charset=utf-8")
          .send(page("nb", `<p>${TEXT.nb.unknown}</p>`));
      // The page shows only our own template with escaped values; still, nothing in it may run or reach out.
      reply.header(
        "content-security-policy",
        "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; base-uri 'none'",
      );
      reply.header("referrer-policy", "no-referrer");
      return reply.type("text/html; charset=utf-8").send(html);
    });

    app.post("/u/:token", { schema: { hide: true } }, async (request, reply) => {
      const target = await unsubscribeTarget(deps.db, deps.send.keys, tokenOf(request.params));
      reply.header("cache-control", "no-store");
      const oneClick = !String(request.headers.accept ?? "").includes("text/html");
      if (!target) return reply.status(404).type("text/plain").send("not found");
      await unsubscribe(deps.db, target, oneClick ? "one-click" : "page");
      if (oneClick) return reply.type("text/plain").send("unsubscribed");
      const t = TEXT[target.language];
      return reply
        .type("text/html; charset=utf-8")
        .send(page(target.language, `<h1>${t.title}</h1><p>${t.done}</p>`));
    });
  };
