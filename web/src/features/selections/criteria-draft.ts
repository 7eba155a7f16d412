// The editor's working copy of criteria: every row carries an id so React can keep inputs in place.
import type { Criteria, LeafCriterion, Match } from "../../api/types.ts";

export type LeafRow = { id: number; criterion: LeafCriterion };
export type GroupRow = { id: number; group: { match: Match; rows: LeafRow[] } };
export type DraftRow = LeafRow | GroupRow;
export type Draft = { match: Match; rows: DraftRow[] };

let lastId = 0;
export function nextRowId(): number {
  lastId += 1;
  return lastId;
}

export function toDraft(criteria: Criteria | null): Draft {
  const leaf = (criterion: LeafCriterion): LeafRow => ({ id: nextRowId(), criterion });
  return {
    match: criteria?.match ?? "all",
    rows: (criteria?.criteria ?? []).map((c) =>
      c.type === "group"
        ? { id: nextRowId(), group: { match: c.match, rows: c.criteria.map(leaf) } }
        : leaf(c),
    ),
  };
}

export function fromDraft(draft: Draft): Criteria {
  return {
    match: draft.match,
    criteria: draft.rows.map((row) =>
      "group" in row
        ? { type: "group", match: row.group.match, criteria: row.group.rows.map((r) => r.criterion) }
        : row.criterion,
    ),
  };
}
