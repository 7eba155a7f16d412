// Folders under src/ import each other in one direction only: a folder that imports another (directly or through a
// chain of others) is never imported back. Read from the source with TypeScript's own import scanner, type-only and
// dynamic imports included, test files excluded.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

type Edge = { from: string; to: string; file: string; imports: string };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The top folder under src/ a file belongs to ("." for files directly in src/). */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split("/");
  return parts.length > 1 ? parts[0]! : ".";
}

function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolve(dirname(file), fileName);
      if (!target.startsWith(`${SRC}/`)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.push({ from, to, file: relative(SRC, file), imports: relative(SRC, target) });
    }
  }
  return edges;
}

/** Groups of folders that reach each other (Tarjan's strongly connected components of more than one folder). */
function folderCycles(edges: Array<Pick<Edge, "from" | "to">>): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    if (!next.has(to)) next.set(to, new Set());
    next.get(from)!.add(to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return groups;
}

describe("folders under src/", () => {
  it("finds a cycle when there is one, directly or through other folders", () => {
    expect(
      folderCycles([
        { from: "a", to: "b" },
        { from: "b", to: "a" },
      ]),
    ).toEqual([["a", "b"]]);
    expect(
      folderCycles([
        { from: "a", to: "b" },
        { from: "b", to: "c" },
        { from: "c", to: "a" },
        { from: "c", to: "d" },
      ]),
    ).toEqual([["a", "b", "c"]]);
    expect(
      folderCycles([
        { from: "a", to: "b" },
        { from: "b", to: "c" },
      ]),
    ).toEqual([]);
  });

  it("import each other in one direction only", () => {
    const edges = importEdges();
    expect(edges.length).toBeGreaterThan(50);
    const cycles = folderCycles(edges).map((group) => ({
      folders: group.join(" ⇄ "),
      imports: edges
        .filter((e) => group.includes(e.from) && group.includes(e.to))
        .map((e) => `${e.file} → ${e.imports}`),
    }));
    expect(cycles).toEqual([]);
  });
});
