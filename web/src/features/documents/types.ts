// The document parts of the mailing API as the web UI reads them (SPEC §13). Declared here by hand: their schemas
// live in the route file (src/http/routes/mailing-documents.ts), which the web's typecheck cannot read.

/** GET /api/mailings/:id/document: the newest generated document. */
export type DocumentState = {
  status: "generating" | "ready" | "failed";
  format: "pdf" | "docx" | null;
  letters: number;
  lettersDone: number;
  pages: number | null;
  bytes: number | null;
  note: string | null;
  error: string | null;
  warnings: Array<{ deliveryId: number; warnings: Array<{ kind: string }> }>;
  createdAt: string;
  finishedAt: string | null;
};

export type Letterhead = {
  companyName: string;
  addressLines: string[];
  country: string;
  orgNumber: string | null;
  phone: string | null;
  web: string | null;
  logo: { contentType: "image/png" | "image/jpeg"; base64: string } | null;
  /** #rrggbb: the hosted form page's button, heading accent and focus ring. */
  brandColor: string | null;
};

export type TemplateCheck = { variables: string[]; unknownVariables: string[] };

export function isDocument(mailing: object): boolean {
  return (mailing as { type?: string }).type === "document";
}

/** Reads a file as a data: URI (the logo, an image in a composed letter). */
export function dataUri(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
