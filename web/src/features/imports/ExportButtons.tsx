// "Export CSV" / "Export Excel": plain links to the streamed export, so the browser downloads the file itself.
// Shown only to users with the export right.
import { Button } from "@mantine/core";
import { withQuery } from "../../api/client.ts";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";

export function ExportButtons({ selectionId }: { selectionId?: number }) {
  const { t } = useI18n();
  const { can } = useSession();
  if (!can("export")) return null;
  const href = (format: "csv" | "xlsx") => withQuery("/api/exports/persons", { format, selectionId });
  return (
    <>
      <Button component="a" href={href("csv")} download variant="default">
        {t("imports.exportCsv")}
      </Button>
      <Button component="a" href={href("xlsx")} download variant="default">
        {t("imports.exportXlsx")}
      </Button>
    </>
  );
}
