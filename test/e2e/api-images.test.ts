// The editor's image library and saved blocks over a real server: image types only, the size and pixel limits,
// metadata stripped (read back with sharp), the hash in the public name, served without sign-in, uploads audited.
import { createHash } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, testDialects } from "../helpers/dialects.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
} from "../helpers/server.ts";

type Image = { id: number; fileName: string; url: string; width: number; height: number; size: number };

/** A JPEG with a camera's EXIF (maker, GPS position) and an orientation tag that says "turn 90° clockwise". */
async function cameraJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 20, channels: 3, background: "#c0392b" } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: "SecretCam", Model: "Spy 1", Copyright: "Kari Nordmann" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "59/1 54/1 0/1" },
    })
    .toBuffer();
}

describe.each(await testDialects())("the image library on %s", (dialect) => {
  let server: TestServer;
  let admin: ApiClient;
  let key: string;

  const upload = (
    name: string,
    body: Buffer | string,
    contentType = "image/jpeg",
    bearer: string | null = key,
  ) =>
    fetch(`${server.url}/api/images?filename=${encodeURIComponent(name)}`, {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers: { "content-type": contentType, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    });
  const errorCode = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    key = (await ok<{ key: string }>(admin.send("POST", "/api/api-keys", { name: "bilder" }), 201)).key;
  });
  afterAll(async () => server.close());

  it("re-encodes an upload without its EXIF, upright, under the hash of its bytes, for anyone to load", async () => {
    const original = await cameraJpeg();
    const before = await sharp(original).metadata();
    expect(before.exif?.toString("latin1")).toContain("SecretCam");
    expect(before.orientation).toBe(6);

    const response = await upload("../ferie/IMG_0001.JPG", original, "application/octet-stream");
    expect(response.status).toBe(201);
    const image = (await response.json()) as Image;
    expect(image.fileName).toMatch(/^[0-9a-f]{32}\.jpg$/);
    expect(image.url.endsWith(`/img/${image.fileName}`)).toBe(true);
    // Turned upright: 40×20 with "rotate 90°" is 20×40.
    expect([image.width, image.height]).toEqual([20, 40]);

    // No cookie, no key: mail programs load it as anyone.
    const served = await fetch(`${server.url}/img/${image.fileName}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    expect(served.headers.get("cache-control")).toContain("immutable");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.length).toBe(image.size);
    expect(createHash("sha256").update(bytes).digest("hex").slice(0, 32)).toBe(image.fileName.slice(0, 32));
    const after = await sharp(bytes).metadata();
    expect(after.format).toBe("jpeg");
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(bytes.toString("latin1")).not.toContain("SecretCam");
    expect(bytes.toString("latin1")).not.toContain("Kari Nordmann");
    expect([after.width, after.height]).toEqual([20, 40]);

    // The same picture again is the one already stored.
    const again = await upload("kopi.jpg", original);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Image).id).toBe(image.id);

    const list = await ok<{ items: Image[] }>(admin.get("/api/images"));
    expect(list.items.map((i) => i.id)).toContain(image.id);
    const audit = await ok<{ items: Array<{ detail: Record<string, unknown>; targetId: string }> }>(
      admin.get("/api/audit?action=image.uploaded"),
    );
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.detail).toMatchObject({
      fileName: image.fileName,
      originalName: "../ferie/IMG_0001.JPG",
    });
  });

  it("takes PNG, GIF and WebP, and refuses SVG, text, empty files, pixel bombs and files over 5 MB", async () => {
    const canvas = () => sharp({ create: { width: 8, height: 8, channels: 4, background: "#0b5cad" } });
    for (const [format, ext] of [
      ["png", "png"],
      ["gif", "gif"],
      ["webp", "webp"],
    ] as const) {
      const response = await upload(
        `logo.${ext}`,
        await canvas().toFormat(format).toBuffer(),
        `image/${format}`,
      );
      expect(response.status, format).toBe(201);
      const image = (await response.json()) as Image;
      expect(image.fileName.endsWith(`.${ext}`)).toBe(true);
      const served = await fetch(`${server.url}/img/${image.fileName}`);
      expect(served.headers.get("content-type")).toBe(`image/${format}`);
    }

    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><script>alert(1)</script></svg>';
    const refusedSvg = await upload("logo.svg", svg, "image/svg+xml");
    expect(refusedSvg.status).toBe(415);
    expect(await errorCode(refusedSvg)).toBe("IMAGE_INVALID");
    const text = await upload("bilde.jpg", "this is not a picture", "image/jpeg");
    expect(text.status).toBe(415);
    expect(await errorCode(text)).toBe("IMAGE_INVALID");
    expect((await upload("tom.jpg", Buffer.alloc(0))).status).toBe(415);
    // 10,000 × 5,000 pixels of one colour compress to a few kB; decoding them would take 200 MB.
    const bomb = await sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: "#fff" } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const refusedBomb = await upload("stor.png", bomb, "image/png");
    expect(refusedBomb.status).toBe(415);
    const big = await upload("stor.jpg", Buffer.alloc(6 * 1024 * 1024, 1));
    expect(big.status).toBe(413);
    expect(await errorCode(big)).toBe("PAYLOAD_TOO_LARGE");
    // None of them was stored.
    const list = await ok<{ items: Image[] }>(admin.get("/api/images"));
    expect(list.items.every((i) => /\.(jpg|png|gif|webp)$/.test(i.fileName))).toBe(true);
    expect(list.items.filter((i) => i.fileName.endsWith(".png"))).toHaveLength(1);
  });

  it("needs sign-in and the write right to upload, and a removed image is gone from its URL", async () => {
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#222" } })
      .jpeg()
      .toBuffer();
    expect((await upload("a.jpg", jpeg, "image/jpeg", null)).status).toBe(401);
    const viewer = await userWithRole(server, admin, "viewer");
    // The right is checked before the body is read.
    const refused = await viewer.send("POST", "/api/images?filename=a.jpg", "not read");
    expect(refused.status).toBe(403);
    const image = (await (await upload("a.jpg", jpeg)).json()) as Image & { uploadedBy: string | null };
    const me = await ok<{ user: { name: string } }>(admin.get("/api/auth/me"));
    expect(image.uploadedBy).toBe(me.user.name);
    expect((await fetch(`${server.url}/img/${image.fileName}`)).status).toBe(200);
    // Before deleting, the library can say which mailings and templates still show the picture.
    type Uses = {
      mailings: Array<{ id: number; name: string }>;
      templates: Array<{ id: number; name: string }>;
    };
    expect(await ok<Uses>(admin.get(`/api/images/${image.id}/uses`))).toEqual({
      mailings: [],
      templates: [],
    });
    const template = await ok<{ id: number }>(
      admin.send("POST", "/api/templates", {
        name: "Med logo",
        contentFormat: "html",
        content: `<p><img src="${image.url}" alt="Logo"></p>`,
      }),
      201,
    );
    const mailing = await ok<{ id: number }>(
      admin.send("POST", "/api/mailings", { name: "Med logo", content: `<img src="${image.url}" alt="">` }),
      201,
    );
    const uses = await ok<Uses>(viewer.get(`/api/images/${image.id}/uses`));
    expect(uses.templates).toEqual([{ id: template.id, name: "Med logo" }]);
    expect(uses.mailings).toEqual([expect.objectContaining({ id: mailing.id, name: "Med logo" })]);
    expect((await admin.send("DELETE", `/api/images/${image.id}`)).status).toBe(204);
    expect((await admin.get(`/api/images/${image.id}/uses`)).status).toBe(404);
    expect((await fetch(`${server.url}/img/${image.fileName}`)).status).toBe(404);
    expect((await fetch(`${server.url}/img/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect((await admin.send("DELETE", `/api/images/${image.id}`)).status).toBe(404);
    const audit = await ok<{ items: Array<{ detail: Record<string, unknown> }> }>(
      admin.get("/api/audit?action=image.deleted"),
    );
    expect(audit.items[0]!.detail).toEqual({ fileName: image.fileName });
  });

  it("keeps saved blocks that every user sees, and refuses a block that is not a section", async () => {
    const mjml =
      "<mj-section><mj-column><mj-text>Fjordlys AS · Storgata 1</mj-text></mj-column></mj-section>";
    type Block = { id: number; name: string; mjml: string; createdBy: string | null; updatedAt: string };
    const saved = await ok<Block>(admin.send("POST", "/api/saved-blocks", { name: "Bunntekst", mjml }), 201);
    const me = await ok<{ user: { name: string } }>(admin.get("/api/auth/me"));
    expect(saved).toMatchObject({ name: "Bunntekst", createdBy: me.user.name });
    const marketer = await userWithRole(server, admin, "marketer");
    // Renamed by another user: the name changes, the MJML and who saved it stay; a viewer may not.
    const viewer = await userWithRole(server, admin, "viewer");
    expect((await viewer.send("PATCH", `/api/saved-blocks/${saved.id}`, { name: "X" })).status).toBe(403);
    const renamed = await ok<Block>(
      marketer.send("PATCH", `/api/saved-blocks/${saved.id}`, { name: " Bunn " }),
    );
    expect(renamed).toMatchObject({ id: saved.id, name: "Bunn", mjml, createdBy: me.user.name });
    expect((await marketer.send("PATCH", `/api/saved-blocks/${saved.id}`, { name: "  " })).status).toBe(400);
    expect((await marketer.send("PATCH", "/api/saved-blocks/999999", { name: "Y" })).status).toBe(404);
    const seen = await ok<{ items: Array<{ id: number; mjml: string }> }>(marketer.get("/api/saved-blocks"));
    expect(seen.items.find((b) => b.id === saved.id)?.mjml).toBe(mjml);
    const bad = await admin.send("POST", "/api/saved-blocks", { name: "Feil", mjml: "<p>hei</p>" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('"field":"mjml"');
    expect((await marketer.send("DELETE", `/api/saved-blocks/${saved.id}`)).status).toBe(204);
    expect((await ok<{ items: unknown[] }>(admin.get("/api/saved-blocks"))).items).toHaveLength(0);
  });
});

// The migration also runs on a bare database (no server), as `utsend migrate` does.
describe.each(await testDialects())("migration 0031 on %s", (dialect) => {
  it("creates the images and saved_blocks tables", async () => {
    const t = await freshDatabase(dialect);
    try {
      expect(await t.db.selectFrom("images").select("id").execute()).toEqual([]);
      expect(await t.db.selectFrom("saved_blocks").select("id").execute()).toEqual([]);
    } finally {
      await t.dispose();
    }
  });
});
