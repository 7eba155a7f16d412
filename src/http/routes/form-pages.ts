// The hosted form page /f/<slug> (SPEC §9), without sign-in: GET shows the published version and counts a view;
// POST checks the abuse defences and the answers, stores the submission FIRST, then hands it to the processing queue
// and thanks the visitor (or redirects). Every refusal is counted with its reason. Also embed.js and the logo.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import {
  ADDRESS_LIMIT,
  honeypotName,
  ipLimit,
  judgeStamp,
  type RefusalReason,
  STAMP_FIELD,
  signStamp,
} from "../../forms/abuse.ts";
import {
  type AnswerProblem,
  BODY_MAX_BYTES,
  emailOf,
  type PostedValues,
  postedValues,
  prefillValues,
  readAnswers,
} from "../../forms/answers.ts";
import type { FormField } from "../../forms/definition.ts";
import { embedScript } from "../../forms/embed.ts";
import { cachedLetterheadHeading } from "../../forms/letterhead-heading.ts";
import { cachedMailDomainVerdicts } from "../../forms/mail-domain.ts";
import {
  closedPage,
  formPage,
  notFoundPage,
  type PageFrame,
  thankYouPage,
  tooLargePage,
  tooManyPage,
  unreadablePage,
} from "../../forms/page.ts";
import { prefillFor } from "../../forms/prefill.ts";
import { judgeSolution, POW_CSP, POW_FIELD } from "../../forms/proof-of-work.ts";
import type { FormQueue } from "../../forms/queue.ts";
import { SLUG_PATTERN } from "../../forms/rules.ts";
import { type FormRecord, formAndPublishedBySlug, formBySlug } from "../../forms/store.ts";
import {
  countRefusal,
  countView,
  recentSubmissions,
  spendPowSolution,
  storeSubmission,
} from "../../forms/submissions.ts";
import { TEXT } from "../../forms/texts.ts";
import { dnsSettings } from "../../sending-domains/dns-check.ts";
import { readLetterhead } from "../../settings/letterhead.ts";
import type { RouteDeps } from "../schemas.ts";
import { powWidget } from "./form-pow.ts";

/**
 * A form is made to be framed on the organisation's own sites, which we cannot list: any ancestor may frame it
 * (frame-ancestors *, and no X-Frame-Options). Clickjacking gains nothing here: the page only takes what the visitor
 * types, and signs them in to nothing. The rest stays tight: only our own scripts (embed.js in embed mode; the
 * proof-of-work widget, which needs a little more: POW_CSP) run,
 * images only from us, and the form posts only to us or (after a submission) redirects to https.
 */
const CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'self'; " +
  "form-action 'self' https:; base-uri 'none'; frame-ancestors *";

type Loaded = { form: FormRecord; fields: FormField[] };

/** The body of a POST that was not urlencoded. */
const OTHER_TYPE = Symbol("other content type");

export const formPageRoutes =
  (deps: RouteDeps, queue: Pick<FormQueue, "nudge">): FastifyPluginAsync =>
  async (app) => {
    const { db } = deps;
    const mailDomainVerdict = cachedMailDomainVerdicts(() => dnsSettings(deps.config));
    const letterheadHeading = cachedLetterheadHeading(db);
    // The page posts urlencoded (a ticked box is a name that is present; a multi-choice repeats its name). The
    // parser keeps the text: the handler measures it, so a body over the form limit is refused and counted.
    app.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 1024 * 1024 },
      (_request, body, done) => done(null, String(body)),
    );
    // Any other body (multipart, JSON, …) is not from our page: read nothing of it, and let the handler refuse it
    // with a page and a count instead of a JSON error or a parsed object no one checks.
    const otherType = (_request: FastifyRequest, _body: Buffer, done: (error: null, body: unknown) => void) =>
      done(null, OTHER_TYPE);
    app.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: 1024 * 1024 }, otherType);
    app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 1024 * 1024 }, otherType);

    const slugOf = (request: FastifyRequest) => String((request.params as { slug?: string }).slug ?? "");
    const html = (reply: FastifyReply, status: number, body: string, csp = CSP) =>
      reply
        .status(status)
        .header("cache-control", "no-store")
        .header("content-security-policy", csp)
        .header("referrer-policy", "strict-origin-when-cross-origin")
        .header("x-content-type-options", "nosniff")
        .type("text/html; charset=utf-8")
        .send(body);

    async function frameOf(request: FastifyRequest, form: FormRecord | null): Promise<PageFrame> {
      const letterhead = await letterheadHeading();
      const slug = slugOf(request);
      return {
        language: form?.language ?? "nb",
        title: form?.name ?? "",
        companyName: letterhead.companyName,
        logoUrl: letterhead.hasLogo && form ? `/f/${slug}/logo` : null,
        brandColor: letterhead.brandColor,
        embed: (request.query as { embed?: string }).embed === "1",
        frameScriptUrl: `/f/${slug}/embed.js`,
      };
    }

    /** The form and its published fields; null (after answering) when there is none or it takes no answers. */
    async function load(request: FastifyRequest, reply: FastifyReply): Promise<Loaded | null> {
      const slug = slugOf(request);
      const found = SLUG_PATTERN.test(slug) ? await formAndPublishedBySlug(db, slug) : null;
      if (!found || found.form.status === "draft") {
        await html(reply, 404, notFoundPage(await frameOf(request, found?.form ?? null)));
        return null;
      }
      const { form, published } = found;
      const definition = form.active ? published : null;
      if (!definition) {
        await html(reply, 410, closedPage(await frameOf(request, form)));
        return null;
      }
      return { form, fields: definition.fields };
    }

    async function showForm(
      request: FastifyRequest,
      reply: FastifyReply,
      { form, fields }: Loaded,
      state: { status: number; values: PostedValues; problems: AnswerProblem[]; notice?: string },
    ) {
      const frame = await frameOf(request, form);
      const page = formPage(
        frame,
        {
          fields,
          values: state.values,
          problems: state.problems,
          stamp: { name: STAMP_FIELD, value: signStamp(deps.send.keys, form.id, Date.now()) },
          honeypot: honeypotName(fields),
          ...(form.proofOfWork ? { proofOfWork: powWidget(form.slug, form.language) } : {}),
        },
        state.notice ?? null,
      );
      return html(reply, state.status, page, form.proofOfWork ? `${CSP}; ${POW_CSP}` : CSP);
    }

    async function thanks(request: FastifyRequest, reply: FastifyReply, form: FormRecord) {
      if (form.redirectUrl) return reply.header("cache-control", "no-store").redirect(form.redirectUrl, 303);
      return html(reply, 200, thankYouPage(await frameOf(request, form), form.thankYouText));
    }

    const tokenOf = (request: FastifyRequest) => {
      const t = (request.query as { t?: unknown }).t;
      return typeof t === "string" ? t : null;
    };

    app.get("/f/:slug", { schema: { hide: true } }, async (request, reply) => {
      const loaded = await load(request, reply);
      if (!loaded) return reply;
      await countView(db, loaded.form.id);
      const query = request.query as Record<string, unknown>;
      // A signed [[link.form.*]] token fills the pre-fillable fields from the person's CRM values; the query string
      // fills the rest it may (never the e-mail address).
      const person = await prefillFor(deps, loaded.form.slug, typeof query.t === "string" ? query.t : null);
      const values = { ...prefillValues(loaded.fields, query), ...(person?.values ?? {}) };
      return showForm(request, reply, loaded, { status: 200, values, problems: [] });
    });

    app.post("/f/:slug", { schema: { hide: true } }, async (request, reply) => {
      const loaded = await load(request, reply);
      if (!loaded) return reply;
      const { form, fields } = loaded;
      const refuse = (reason: RefusalReason) => countRefusal(db, form.id, reason);
      if (request.body === OTHER_TYPE) {
        await refuse("malformed");
        return html(reply, 415, unreadablePage(await frameOf(request, form)));
      }
      const body = typeof request.body === "string" ? request.body : "";
      if (Buffer.byteLength(body) > BODY_MAX_BYTES) {
        await refuse("too-large");
        return html(reply, 413, tooLargePage(await frameOf(request, form)));
      }
      const read = postedValues(body);
      if (!read.ok) {
        await refuse("malformed");
        return html(reply, 400, unreadablePage(await frameOf(request, form)));
      }
      const posted = read.values;
      const { answers, problems } = readAnswers(fields, posted, form.language);
      // What the visitor typed goes back into the page; the honeypot and the stamp never do.
      const values: PostedValues = { ...answers };
      const honeypot = posted[honeypotName(fields)];
      if (honeypot !== undefined && honeypot !== "") {
        // A bot learns nothing: it sees what a person who submitted sees.
        await refuse("honeypot");
        return thanks(request, reply, form);
      }
      const stamp = posted[STAMP_FIELD];
      const verdict = judgeStamp(deps.send.keys, form.id, typeof stamp === "string" ? stamp : "", Date.now());
      if (!verdict.ok) {
        await refuse(verdict.reason);
        const notice = TEXT[form.language].tryAgain;
        return showForm(request, reply, loaded, { status: 422, values, problems: [], notice });
      }
      if (form.proofOfWork) {
        const solution = posted[POW_FIELD];
        const pow = await judgeSolution(
          deps.send.keys,
          form.id,
          typeof solution === "string" ? solution : "",
          Date.now(),
        );
        // Spent before the checks that follow: a page shown again solves a new challenge, so a person never needs
        // this one twice.
        if (!pow.ok || !(await spendPowSolution(db, pow.signature, pow.expiresAt))) {
          await refuse("proof-of-work");
          const notice = TEXT[form.language].powAgain;
          return showForm(request, reply, loaded, { status: 422, values, problems: [], notice });
        }
      }
      const perIp = ipLimit(deps.config.formIpLimit);
      if (
        perIp &&
        (await recentSubmissions(db, form.id, { ip: request.ip }, perIp.windowMs)) >= perIp.count
      ) {
        await refuse("ip-limit");
        return html(reply, 429, tooManyPage(await frameOf(request, form)));
      }
      if (problems.length > 0) return showForm(request, reply, loaded, { status: 422, values, problems });
      const email = emailOf(fields, answers);
      if (email) {
        const domain = email.slice(email.lastIndexOf("@") + 1);
        if ((await mailDomainVerdict(domain)) === "no-mail") {
          await refuse("no-mail-domain");
          const key = fields.find((f) => f.kind === "mapped" && f.maps === "email")!.key;
          return showForm(request, reply, loaded, {
            status: 422,
            values,
            problems: [{ key, code: "no-mail-domain" }],
          });
        }
        const recent = await recentSubmissions(db, form.id, { emailLower: email }, ADDRESS_LIMIT.windowMs);
        if (recent >= ADDRESS_LIMIT.count) {
          await refuse("address-limit");
          return html(reply, 429, tooManyPage(await frameOf(request, form)));
        }
      }
      const userAgent = request.headers["user-agent"];
      // Stored before anything else: whatever processing does, the answer is kept (SPEC §9).
      const submissionId = await storeSubmission(db, {
        formId: form.id,
        version: form.publishedVersion,
        fields,
        answers,
        ip: request.ip ?? null,
        userAgent: typeof userAgent === "string" ? userAgent : null,
        prefillPersonId: (await prefillFor(deps, form.slug, tokenOf(request)))?.personId ?? null,
      });
      // Processing runs after the thank-you page (forms/queue.ts): the visitor never waits for it, and a failure or
      // a crash there leaves the stored submission for the queue's sweep.
      queue.nudge(submissionId);
      return thanks(request, reply, form);
    });

    app.get("/f/:slug/embed.js", { schema: { hide: true } }, async (request, reply) => {
      const slug = slugOf(request);
      const form = SLUG_PATTERN.test(slug) ? await formBySlug(db, slug) : null;
      if (!form || form.status === "draft") return reply.status(404).type("text/plain").send("not found");
      return reply
        .header("cache-control", "public, max-age=300")
        .header("x-content-type-options", "nosniff")
        .type("text/javascript; charset=utf-8")
        .send(embedScript(deps.send.publicUrl, form.slug, form.name));
    });

    app.get("/f/:slug/logo", { schema: { hide: true } }, async (_request, reply) => {
      const { logo } = await readLetterhead(db);
      if (!logo) return reply.status(404).type("text/plain").send("not found");
      return reply
        .header("cache-control", "public, max-age=300")
        .header("x-content-type-options", "nosniff")
        .type(logo.contentType)
        .send(logo.data);
    });
  };
