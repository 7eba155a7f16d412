// The Confirm step's accessibility warnings: what some recipients cannot read in the e-mail, each with a button
// that dismisses it for this mailing (or shows it again). They never stop sending.
import { Alert, Button, Group, List, Text } from "@mantine/core";
import { useState } from "react";
import { useApi } from "../../api/context.tsx";
import type { Mailing } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { accessibilityText } from "../mailings/problems.ts";
import type { StepProps } from "../mailings/step-props.ts";

export function AccessibilityWarnings({
  mailing,
  editable,
  act,
}: Pick<StepProps, "mailing" | "editable" | "act">) {
  const { t, formatNumber } = useI18n();
  const api = useApi();
  const [busy, setBusy] = useState<string | null>(null);
  const warnings = mailing.accessibilityWarnings;
  if (warnings.length === 0) return null;
  const open = warnings.filter((w) => !w.dismissed).length;

  async function toggle(key: string, dismissed: boolean) {
    if (busy) return;
    setBusy(key);
    await act(() => api.put<Mailing>(`/api/mailings/${mailing.id}/dismissed-warnings`, { key, dismissed }));
    setBusy(null);
  }

  // The list keeps the server's order, so a button keeps its place (and the keyboard focus) when it is pressed.
  return (
    <Alert
      color={open > 0 ? "yellow" : "gray"}
      variant="light"
      title={t("sending.accessibility.title")}
      data-testid="accessibility-warnings"
    >
      <Text size="sm" mb="xs">
        {t("sending.accessibility.intro")}
      </Text>
      <List size="sm" spacing="xs">
        {warnings.map((w) => {
          const text = accessibilityText(t, w, formatNumber);
          return (
            <List.Item key={w.key} data-dismissed={w.dismissed || undefined}>
              <Group gap="sm" justify="space-between" wrap="nowrap" align="flex-start">
                <Text size="sm" span>
                  {w.dismissed && <strong>{t("sending.accessibility.dismissed")}: </strong>}
                  {text}
                </Text>
                {editable && (
                  <Button
                    size="compact-sm"
                    variant="default"
                    // Not `loading`: that disables the button, and a disabled button drops the keyboard focus.
                    aria-busy={busy === w.key || undefined}
                    aria-label={t(
                      w.dismissed
                        ? "sending.accessibility.restoreNamed"
                        : "sending.accessibility.dismissNamed",
                      { warning: text },
                    )}
                    onClick={() => toggle(w.key, !w.dismissed)}
                    style={{ flexShrink: 0 }}
                  >
                    {t(w.dismissed ? "sending.accessibility.restore" : "sending.accessibility.dismiss")}
                  </Button>
                )}
              </Group>
            </List.Item>
          );
        })}
      </List>
    </Alert>
  );
}
