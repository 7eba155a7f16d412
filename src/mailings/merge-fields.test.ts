import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import {
  bestName,
  checkTemplate,
  compileTemplate,
  emptyVariables,
  formLinkSlugs,
  MERGE_VARIABLES,
  type MergeContext,
  type RenderMode,
  renderTemplate,
  salutation,
} from "./merge-fields.ts";

function aContext(customer: Partial<MergeContext["customer"]> = {}, extra: Partial<MergeContext> = {}) {
  const context: MergeContext = {
    customer: {
      id: "17",
      name: "Kari Nordmann",
      firstname: "Kari",
      middlename: null,
      lastname: "Nordmann",
      bestName: "Kari",
      salutation: "Kari Nordmann",
      title: null,
      mrmrs: null,
      email: "kari@example.no",
      cellphone: "+4741234567",
      phone: null,
      language: "nb",
      ...customer,
    },
    company: null,
    ourContact: { name: "Ola Selger", email: "ola@utsend.example", phone: null },
    mailing: { name: "Vårnytt", subject: "Nytt fra oss" },
    link: {
      unsubscribe: "https://utsend.example/u/abc?x=1&y=2",
      subscriptions: "https://utsend.example/s/abc",
      viewOnline: "https://utsend.example/v/abc",
    },
    ...extra,
  };
  return context;
}

function render(source: string, mode: RenderMode, context = aContext()): string {
  return renderTemplate(compileTemplate(source, mode), context);
}

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

const noCustomFields = { customFieldKeys: [] };

describe("merging", () => {
  it("puts the recipient's first name where [[customer.firstname]] stands", () => {
    expect(render("Hei [[customer.firstname]]!", "text")).toBe("Hei Kari!");
    expect(render("Hei [[ customer.firstname ]]!", "html")).toBe("Hei Kari!");
  });

  it("uses the default fallback when the value is empty or missing, and the value when present", () => {
    const source = 'Hei [[customer.firstname | default: "venn"]]';
    expect(render(source, "text", aContext({ firstname: null }))).toBe("Hei venn");
    expect(render(source, "text", aContext({ firstname: "" }))).toBe("Hei venn");
    expect(render(source, "text")).toBe("Hei Kari");
  });

  it("chooses the branch of an if/else on the recipient's language", () => {
    const source = '[% if customer.language == "en" %]Hello[% else %]Hei[% endif %] [[customer.firstname]]';
    expect(render(source, "text", aContext({ language: "en" }))).toBe("Hello Kari");
    expect(render(source, "text", aContext({ language: "nb" }))).toBe("Hei Kari");
  });

  it("treats an empty value as false in a condition", () => {
    const source =
      "[% if customer.title %]([[customer.title]])[% else %]-[% endif %][% unless customer.phone %]![% endunless %]";
    expect(render(source, "text", aContext({ title: "", phone: "" }))).toBe("-!");
    expect(render(source, "text", aContext({ title: null, phone: null }))).toBe("-!");
    expect(render(source, "text", aContext({ title: "CEO", phone: "1" }))).toBe("(CEO)");
  });

  it("supports unless and case for conditions", () => {
    const source =
      '[% case customer.language %][% when "en" %]Hi[% when "sv" %]Hej[% else %]Hei[% endcase %][% unless company %] privat[% endunless %]';
    expect(render(source, "text", aContext({ language: "sv" }))).toBe("Hej privat");
    expect(render(source, "text", aContext({ language: "en" }))).toBe("Hi privat");
  });

  it("renders a missing group (no company) and an unknown variable as empty text", () => {
    expect(render("[[company.name]]|[[customer.nothing]]|[[company.ourContact.name]]", "text")).toBe("||");
  });

  it("reads custom fields as customer.<key>", () => {
    expect(render("Størrelse [[customer.shoeSize]]", "text", aContext({ shoeSize: "42" }))).toBe(
      "Størrelse 42",
    );
  });

  it("does not reach into prototypes of the values", () => {
    expect(render("[[customer.constructor]][[customer.__proto__]][[customer.toString]]", "text")).toBe("");
  });

  it("compiles once and renders many recipients from the same compiled template", () => {
    const compiled = compileTemplate("Hei [[customer.firstname]]", "text");
    expect(renderTemplate(compiled, aContext({ firstname: "Ola" }))).toBe("Hei Ola");
    expect(renderTemplate(compiled, aContext({ firstname: "Åse" }))).toBe("Hei Åse");
  });
});

describe("escaping", () => {
  it("HTML-escapes tags, ampersands and quotes in values in html mode", () => {
    const context = aContext({
      firstname: `<b>Kari</b> & "Ola" 'x'`,
      lastname: `"><script>alert(1)</script>`,
    });
    const html = render('<p title="[[customer.firstname]]">[[customer.lastname]]</p>', "html", context);
    expect(html).toBe(
      '<p title="&lt;b&gt;Kari&lt;/b&gt; &amp; &#34;Ola&#34; &#39;x&#39;">&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
    expect(html).not.toContain("<script>");
  });

  it("escapes a value that tries to break out of an attribute with an event handler", () => {
    const html = render(
      '<a href="[[customer.title]]">x</a>',
      "html",
      aContext({ title: '"><img src=x onerror=alert(1)>' }),
    );
    expect(html).toBe('<a href="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>');
  });

  it("escapes values after filters too, including the default fallback", () => {
    const context = aContext({ firstname: null, title: "<i>" });
    expect(
      render('[[customer.firstname | default: "<b>"]][[customer.title | upcase]]', "html", context),
    ).toBe("&lt;b&gt;&lt;I&gt;");
  });

  it("refuses the raw filter, so no value can reach the HTML unescaped", () => {
    const error = errorOf(() => compileTemplate("[[customer.firstname | raw]]", "html"));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.message).toContain('"raw"');
  });

  it("keeps the template's own HTML and leaves ampersands in link values escaped once", () => {
    expect(render('<a href="[[link.unsubscribe]]">Meld av</a>', "html")).toBe(
      '<a href="https://utsend.example/u/abc?x=1&amp;y=2">Meld av</a>',
    );
  });

  it("leaves values raw in text mode", () => {
    const context = aContext({ firstname: `<b>Kari</b> & "Ola"` });
    expect(render("Hei [[customer.firstname]]", "text", context)).toBe(`Hei <b>Kari</b> & "Ola"`);
  });

  it("never lets CR or LF from a value reach a header", () => {
    const subject = render(
      "Hei [[customer.firstname]]",
      "header",
      aContext({ firstname: "Hei\r\nBcc: evil@example.com" }),
    );
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe("Hei Hei Bcc: evil@example.com");
  });

  it("folds header mode to one trimmed line: control characters and Unicode line separators become single spaces", () => {
    const context = aContext({ firstname: "A\u0000B\tC\u0085D\u2028E\u2029F\u007f" });
    expect(render("  [[customer.firstname]]\r\n[% if true %]\n x[% endif %]  ", "header", context)).toBe(
      "A B C D E F x",
    );
  });

  it("does not escape HTML in header mode", () => {
    expect(render("[[customer.firstname]]", "header", aContext({ firstname: "Kari & <Ola>" }))).toBe(
      "Kari & <Ola>",
    );
  });
});

describe("checking a template", () => {
  it("lists every variable used, including those only in conditions", () => {
    const check = checkTemplate(
      '[% if customer.language == "en" %]Hi[% endif %] [[customer.firstname | default: mailing.name]]',
      noCustomFields,
    );
    expect(check.errors).toEqual([]);
    expect(check.variables).toEqual(["customer.language", "customer.firstname", "mailing.name"]);
    expect(check.unknownVariables).toEqual([]);
  });

  it("reports a variable that does not exist as unknown", () => {
    const check = checkTemplate(
      "[[customer.fristname]] [[kunde.navn]] [[customer.firstname]]",
      noCustomFields,
    );
    expect(check.unknownVariables).toEqual(["customer.fristname", "kunde.navn"]);
  });

  it("knows a custom field only when its key is passed in", () => {
    expect(checkTemplate("[[customer.shoeSize]]", noCustomFields).unknownVariables).toEqual([
      "customer.shoeSize",
    ]);
    expect(
      checkTemplate("[[customer.shoeSize]]", { customFieldKeys: ["shoeSize"] }).unknownVariables,
    ).toEqual([]);
  });

  it("knows every variable of the catalogue for its mailing types", () => {
    for (const group of MERGE_VARIABLES)
      for (const v of group.variables)
        for (const type of v.types ?? group.types)
          expect(
            checkTemplate(`[[${v.path}]]`, { ...noCustomFields, allowed: type }).unknownVariables,
          ).toEqual([]);
  });

  it("knows link.form.<slug> only for the slugs of existing forms, and only where links are", () => {
    const source = "[[link.form.sommerfest-2026]] [[link.form.finnes-ikke]] [[link.form.Sommerfest]]";
    const slugs = ["sommerfest-2026"];
    expect(checkTemplate(source, { ...noCustomFields, formSlugs: slugs }).unknownVariables).toEqual([
      "link.form.finnes-ikke",
      "link.form.Sommerfest",
    ]);
    expect(checkTemplate(source, noCustomFields).unknownVariables).toHaveLength(3);
    expect(
      checkTemplate("[[link.form.sommerfest-2026]]", { ...noCustomFields, allowed: "form", formSlugs: slugs })
        .unknownVariables,
    ).toEqual([]);
    expect(
      checkTemplate("[[link.form.sommerfest-2026]]", { ...noCustomFields, allowed: "sms", formSlugs: slugs })
        .unknownVariables,
    ).toEqual(["link.form.sommerfest-2026"]);
  });

  it("finds the forms a mailing links to and merges each recipient's link", () => {
    const html = compileTemplate('<a href="[[link.form.sommerfest-2026]]">Svar</a>', "html");
    const text = compileTemplate(
      "[% if link.form.kurs %][[link.form.kurs]][% endif %] [[link.unsubscribe]]",
      "text",
    );
    expect(formLinkSlugs([html, text])).toEqual(["sommerfest-2026", "kurs"]);
    const context = aContext();
    context.link.form = { "sommerfest-2026": "https://utsend.example/f/sommerfest-2026?t=a1.x" };
    expect(renderTemplate(html, context)).toBe(
      '<a href="https://utsend.example/f/sommerfest-2026?t=a1.x">Svar</a>',
    );
  });

  it("knows group names and company.ourContact so that conditions can test them", () => {
    expect(
      checkTemplate("[% if company %][% if company.ourContact %]x[% endif %][% endif %]", noCustomFields),
    ).toEqual({ errors: [], unknownVariables: [], variables: ["company", "company.ourContact"] });
  });

  it("limits variables to the mailing type: links in e-mail, form answers in form responses, document fields in documents", () => {
    expect(
      checkTemplate("[[link.unsubscribe]]", { ...noCustomFields, allowed: "sms" }).unknownVariables,
    ).toEqual(["link.unsubscribe"]);
    expect(checkTemplate("[[form.comment]]", noCustomFields).unknownVariables).toEqual(["form.comment"]);
    expect(
      checkTemplate("[[form.comment]]", { ...noCustomFields, allowed: "form" }).unknownVariables,
    ).toEqual([]);
    expect(
      checkTemplate("[[form.comment]][[form.other]]", {
        ...noCustomFields,
        allowed: "form",
        formFieldKeys: ["comment"],
      }).unknownVariables,
    ).toEqual(["form.other"]);
    expect(
      checkTemplate("[[document.ourRef]]", { ...noCustomFields, allowed: "document" }).unknownVariables,
    ).toEqual([]);
    expect(checkTemplate("[[document.ourRef]]", noCustomFields).unknownVariables).toEqual([
      "document.ourRef",
    ]);
  });

  it("gives a syntax error with its line and column", () => {
    const check = checkTemplate("<p>Hei</p>\n<p>\n  [% if customer.language %]Hi</p>", noCustomFields);
    expect(check.errors).toEqual([
      { message: expect.stringContaining("not closed"), kind: "template-syntax", line: 3, column: 3 },
    ]);
  });

  it("gives an unclosed output tag with its line", () => {
    expect(checkTemplate("a\nb [[ customer.firstname", noCustomFields).errors[0]).toMatchObject({
      line: 2,
      column: 3,
    });
  });

  it("refuses an unknown filter at its position", () => {
    expect(checkTemplate("a\n[[customer.firstname | shout]]", noCustomFields).errors).toEqual([
      {
        message: 'the filter "shout" does not exist or is not allowed in mailings',
        kind: "template-syntax",
        line: 2,
        column: 1,
      },
    ]);
  });

  it("refuses loops, assignment and partials with a message that says so", () => {
    for (const source of [
      "[% for x in (1..10) %]x[% endfor %]",
      "[% tablerow x in customer %][% endtablerow %]",
      '[% assign x = "y" %]',
      '[% include "secret" %]',
      '[% render "secret" %]',
      '[% layout "x" %]',
    ]) {
      const [error] = checkTemplate(source, noCustomFields).errors;
      expect(error?.message).toMatch(/is not allowed in mailings/);
    }
  });

  it("throws VALIDATION_FAILED with the position when compiling a broken template", () => {
    const error = errorOf(() => compileTemplate("ok\n[% if x %]", "html", { field: "subject" }));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details).toMatchObject({
      line: 2,
      column: 1,
      fields: [{ field: "subject", kind: "template-syntax", params: { line: 2, column: 1 } }],
    });
  });
});

describe("limits", () => {
  it("stops a filter chain that would build gigabytes of text with a clear error", () => {
    const blowUp = `[[customer.firstname${' | replace: "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"'.repeat(8)}]]`;
    const compiled = compileTemplate(blowUp, "text");
    const error = errorOf(() => renderTemplate(compiled, aContext({ firstname: "aaaa" })));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.message).toContain("too much text");
    expect(error.details.fields).toEqual([
      expect.objectContaining({ field: "content", kind: "template-limit" }),
    ]);
  });

  it("stops a render that exceeds the time limit with a clear error", () => {
    const compiled = compileTemplate("Hei [[customer.firstname]]", "text", { limits: { renderMs: -1 } });
    const error = errorOf(() => renderTemplate(compiled, aContext()));
    expect(error.message).toContain("took too long");
  });

  it("refuses conditions nested deeper than the limit, before the parser can overflow its stack", () => {
    const deep = `${"[% if customer.id %]".repeat(5000)}x${"[% endif %]".repeat(5000)}`;
    const [error] = checkTemplate(deep, noCustomFields).errors;
    expect(error?.message).toMatch(/nested more than 25 deep/);
    expect(error?.kind).toBe("template-limit");
    expect(
      checkTemplate(`${"[% if a %]".repeat(20)}${"[% endif %]".repeat(20)}`, noCustomFields).errors,
    ).toEqual([]);
  });

  it("refuses a template longer than the source limit", () => {
    const [error] = checkTemplate("x".repeat(2_000_000), noCustomFields).errors;
    expect(error?.message).toMatch(/longer than/);
    expect(error?.kind).toBe("template-limit");
  });
});

describe("empty variables", () => {
  it("lists the variables that are empty for this recipient and have no fallback", () => {
    const source = "Hei [[customer.firstname]] [[customer.lastname]] [[customer.title]] [[company.name]]";
    const context = aContext({ firstname: "", lastname: "Nordmann", title: null });
    expect(emptyVariables(compileTemplate(source, "html"), context)).toEqual([
      "customer.firstname",
      "customer.title",
      "company.name",
    ]);
  });

  it("does not warn for a variable with a default fallback or one guarded by a condition on itself", () => {
    const source =
      '[[customer.firstname | default: "venn"]] [% if customer.title %]([[customer.title]])[% endif %] [[customer.phone]]';
    const context = aContext({ firstname: null, title: null, phone: null });
    expect(emptyVariables(source, context)).toEqual(["customer.phone"]);
  });

  it("does not warn for a variable used only in a condition", () => {
    expect(
      emptyVariables('[% if customer.language == "en" %]Hi[% endif %]', aContext({ language: null })),
    ).toEqual([]);
  });
});

describe("names", () => {
  it("salutes with the full name, or the e-mail when there is no name", () => {
    expect(salutation({ firstname: "Kari", middlename: "B.", lastname: "Nordmann", email: "k@x.no" })).toBe(
      "Kari B. Nordmann",
    );
    expect(salutation({ name: "Kari Importert", email: "k@x.no" })).toBe("Kari Importert");
    expect(salutation({ firstname: " ", email: "k@x.no" })).toBe("k@x.no");
    expect(salutation({})).toBeNull();
  });

  it("takes the first name as the best name, else the full name, else the e-mail", () => {
    expect(bestName({ firstname: "Kari", lastname: "Nordmann" })).toBe("Kari");
    expect(bestName({ lastname: "Nordmann", email: "k@x.no" })).toBe("Nordmann");
    expect(bestName({ email: "k@x.no" })).toBe("k@x.no");
  });
});
