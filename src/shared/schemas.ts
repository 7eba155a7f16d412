// TypeBox helpers every schema module uses, the HTTP layer's and the ones the web UI reads alike; imports only typebox.
import Type, { type TSchema } from "typebox";

/** A string that must be one of `values` (JSON Schema enum; the static type is their union). */
export const literals = <const T extends string[]>(
  values: readonly [...T],
  options: Record<string, unknown> = {},
) => Type.Enum<T>(values, options);

/** A row id: a positive 32-bit integer, as both databases store it. */
export const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  });
