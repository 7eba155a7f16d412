// Every problem a request schema can find reaches the client with a kind from VALIDATION_KINDS and the params that
// fill its sentence, so the web UI can say it in Norwegian or English (web/src/i18n/error-text.test.ts checks the words).
import Type from "typebox";
import { describe, expect, it } from "vitest";
import { VALIDATION_KINDS } from "../shared/errors.ts";
import { fieldProblems } from "./errors.ts";
import { makeAjv } from "./validation.ts";

const ajv = makeAjv(false);

/** One request schema per ajv keyword our schemas use, a value it refuses, and what the client must be told. */
const CASES = [
  {
    schema: Type.Object({ name: Type.String() }),
    value: {},
    kind: "required",
    field: "name",
    params: undefined,
  },
  {
    schema: Type.Object({ n: Type.Integer() }),
    value: { n: "x" },
    kind: "type",
    params: { type: "integer" },
  },
  {
    schema: Type.Object({ n: Type.String({ minLength: 2 }) }),
    value: { n: "a" },
    kind: "minLength",
    params: { limit: 2 },
  },
  {
    schema: Type.Object({ n: Type.String({ maxLength: 3 }) }),
    value: { n: "abcd" },
    kind: "maxLength",
    params: { limit: 3 },
  },
  {
    schema: Type.Object({ n: Type.Integer({ minimum: 1 }) }),
    value: { n: 0 },
    kind: "minimum",
    params: { limit: 1 },
  },
  {
    schema: Type.Object({ n: Type.Integer({ maximum: 9 }) }),
    value: { n: 10 },
    kind: "maximum",
    params: { limit: 9 },
  },
  {
    schema: Type.Object({ n: Type.Number({ exclusiveMinimum: 0 }) }),
    value: { n: 0 },
    kind: "exclusiveMinimum",
    params: { limit: 0 },
  },
  {
    schema: Type.Object({ n: Type.Number({ exclusiveMaximum: 1 }) }),
    value: { n: 1 },
    kind: "exclusiveMaximum",
    params: { limit: 1 },
  },
  {
    schema: Type.Object({ n: Type.Integer({ multipleOf: 5 }) }),
    value: { n: 7 },
    kind: "multipleOf",
    params: { limit: 5 },
  },
  {
    schema: Type.Object({ n: Type.String({ format: "email" }) }),
    value: { n: "nope" },
    kind: "format",
    params: { format: "email" },
  },
  {
    schema: Type.Object({ n: Type.Union([Type.Literal("a"), Type.Literal("b")]) }),
    value: { n: "c" },
    kind: "const",
    params: { values: "a" },
  },
  {
    schema: Type.Object({ n: Type.Unsafe<string>({ type: "string", enum: ["csv", "xlsx"] }) }),
    value: { n: "pdf" },
    kind: "enum",
    params: { values: "csv, xlsx" },
  },
  {
    schema: Type.Object({ n: Type.String({ pattern: "^[a-z]+$" }) }),
    value: { n: "A1" },
    kind: "pattern",
    params: undefined,
  },
  {
    schema: Type.Object({}, { additionalProperties: false }),
    value: { extra: 1 },
    kind: "additionalProperties",
    field: "extra",
    params: undefined,
  },
  {
    schema: Type.Object({ n: Type.Array(Type.Integer(), { minItems: 1 }) }),
    value: { n: [] },
    kind: "minItems",
    params: { limit: 1 },
  },
  {
    schema: Type.Object({ n: Type.Array(Type.Integer(), { maxItems: 1 }) }),
    value: { n: [1, 2] },
    kind: "maxItems",
    params: { limit: 1 },
  },
  {
    schema: Type.Object({ n: Type.Array(Type.Integer(), { uniqueItems: true }) }),
    value: { n: [1, 1] },
    kind: "uniqueItems",
    params: undefined,
  },
  {
    schema: Type.Object({ n: Type.Record(Type.String(), Type.Integer(), { minProperties: 1 }) }),
    value: { n: {} },
    kind: "minProperties",
    params: { limit: 1 },
  },
  {
    schema: Type.Object({ n: Type.Record(Type.String(), Type.Integer(), { maxProperties: 1 }) }),
    value: { n: { a: 1, b: 2 } },
    kind: "maxProperties",
    params: { limit: 1 },
  },
] as const;

describe("request validation problems", () => {
  it.each(CASES)("name the field and say $kind with its params", (c) => {
    const validate = ajv.compile(c.schema);
    expect(validate(c.value)).toBe(false);
    const [problem] = fieldProblems(validate.errors as never, "body");
    expect(problem).toEqual({
      field: "field" in c ? c.field : "n",
      message: expect.any(String),
      kind: c.kind,
      ...(c.params ? { params: c.params } : {}),
    });
  });

  it("cover every kind a request schema can give; the kinds from `empty` on are the server's own", () => {
    const fromSchemas = new Set(CASES.map((c) => c.kind as string));
    expect(VALIDATION_KINDS.filter((k) => !fromSchemas.has(k))).toEqual(
      VALIDATION_KINDS.slice(VALIDATION_KINDS.indexOf("empty")),
    );
  });

  it("gives a keyword outside the list the kind invalid, with the server's sentence", () => {
    expect(
      fieldProblems([{ instancePath: "/x", keyword: "if", message: "must match then schema" }], "body"),
    ).toEqual([{ field: "x", message: "must match then schema", kind: "invalid" }]);
  });
});
