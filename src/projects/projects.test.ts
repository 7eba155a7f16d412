import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import {
  addProjectMembers,
  createProject,
  getProject,
  projectMembers,
  removeProjectMembers,
  updateProject,
} from "./store.ts";

describe.each(await testDialects())("projects on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("adds and removes members and counts them", async () => {
    const project = await createProject(t.db, { name: "Vårkonferansen" });
    const a = await aPerson(t.db);
    const b = await aPerson(t.db);
    expect(await addProjectMembers(t.db, project.id, [a.id, b.id, a.id])).toEqual({ added: 2 });
    expect((await getProject(t.db, project.id)).memberCount).toBe(2);
    await removeProjectMembers(t.db, project.id, [a.id]);
    const members = await projectMembers(t.db, project.id, {}, { limit: 10, offset: 0 });
    expect(members.items.map((p) => p.id)).toEqual([b.id]);
  });

  it("refuses unknown persons and an empty name", async () => {
    const project = await createProject(t.db, { name: "P" });
    await expect(addProjectMembers(t.db, project.id, [123_456])).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
    });
    await expect(updateProject(t.db, project.id, { name: "  " })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(getProject(t.db, 987_654)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
