// GrapesJS ships its translations as plain ES modules without types (grapesjs/locale/<language>.mjs).
declare module "grapesjs/locale/nb.mjs" {
  const messages: Record<string, unknown>;
  export default messages;
}
