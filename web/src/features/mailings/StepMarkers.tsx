// The five step markers: each step's state as the API reports it (complete, incomplete with its problem count,
// not started); a step can be opened once every step before it is complete.
import { Group, SimpleGrid, Text, ThemeIcon, UnstyledButton } from "@mantine/core";
import { presentStepKeys } from "../../../../src/mailings/step-order.ts";
import type { MailingStep, StepKey, StepState } from "../../api/mailing-types.ts";
import { useI18n } from "../../i18n/i18n.tsx";

const COLORS: Record<StepState, string> = { complete: "green", incomplete: "orange", "not-started": "gray" };

export function StepMarkers({
  steps,
  active,
  open,
  onSelect,
}: {
  steps: MailingStep[];
  active: StepKey;
  open: Set<StepKey>;
  onSelect: (step: StepKey) => void;
}) {
  const { t } = useI18n();

  function stateText(step: MailingStep | undefined): string {
    if (!step || step.state === "not-started") return t("mailings.stepStates.not-started");
    if (step.state === "complete") return t("mailings.stepStates.complete");
    const count = step.problems.length;
    if (count === 0) return t("mailings.stepStates.incomplete");
    return t("mailings.stepStates.incompleteCount", { count });
  }

  return (
    <SimpleGrid
      cols={{ base: 2, sm: presentStepKeys(steps).length }}
      spacing="xs"
      component="nav"
      aria-label={t("mailings.stepsLabel")}
    >
      {presentStepKeys(steps).map((key, index) => {
        const step = steps.find((s) => s.key === key);
        const state = step?.state ?? "not-started";
        const isActive = key === active;
        const locked = !open.has(key);
        return (
          <UnstyledButton
            key={key}
            onClick={() => onSelect(key)}
            disabled={locked}
            aria-current={isActive ? "step" : undefined}
            data-testid={`step-marker-${key}`}
            data-state={state}
            title={locked ? t("mailings.stepLocked") : undefined}
            style={{
              padding: "10px 12px",
              borderRadius: "var(--mantine-radius-md)",
              background: "var(--mantine-color-white)",
              border: `${isActive ? 2 : 1}px solid var(--mantine-color-${isActive ? "blue-6" : "gray-3"})`,
              opacity: locked ? 0.55 : 1,
              cursor: locked ? "not-allowed" : "pointer",
            }}
          >
            <Group gap="sm" wrap="nowrap">
              <ThemeIcon
                radius="xl"
                size="md"
                color={COLORS[state]}
                variant={state === "not-started" ? "light" : "filled"}
              >
                <Text size="xs" fw={700}>
                  {state === "complete" ? "✓" : index + 1}
                </Text>
              </ThemeIcon>
              <div>
                <Text size="sm" fw={600}>
                  {t(`mailings.steps.${key}`)}
                </Text>
                <Text size="xs" c={state === "incomplete" ? "orange.8" : "dimmed"}>
                  {stateText(step)}
                </Text>
              </div>
            </Group>
          </UnstyledButton>
        );
      })}
    </SimpleGrid>
  );
}
