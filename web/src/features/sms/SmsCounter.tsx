// The live counter under the SMS text: characters, encoding (and what forced UCS-2), parts, what is left in this
// part. Counted in the browser by the same pure rules the transports cut by, so the editor and the send agree.
import { Group, Text, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { countSms, GSM7_BASIC, GSM7_EXTENSION } from "../../../../src/send/channels/sms/segments.ts";
import { useI18n } from "../../i18n/i18n.tsx";

/** The distinct characters of a text that have no GSM-7 form (they make the whole message UCS-2). */
export function nonGsmCharacters(text: string): string[] {
  const found = new Set<string>();
  for (const char of text) if (!GSM7_BASIC.includes(char) && !GSM7_EXTENSION.has(char)) found.add(char);
  return [...found];
}

export function SmsCounter({ text }: { text: string }) {
  const { t, formatNumber } = useI18n();
  const count = countSms(text);
  const forcing = count.encoding === "ucs2" ? nonGsmCharacters(text) : [];
  // Screen readers hear the count once typing pauses, not at every key.
  const [spoken] = useDebouncedValue(
    t("sms.counter.spoken", {
      characters: formatNumber(count.characters),
      encoding: t(`sms.encodings.${count.encoding}`),
      parts: formatNumber(count.parts),
    }),
    800,
  );
  return (
    <div data-testid="sms-counter">
      <Group gap="lg" wrap="wrap">
        <Text size="sm" data-testid="sms-characters">
          {t("sms.counter.characters", { count: count.characters })}
        </Text>
        <Text size="sm" data-testid="sms-encoding">
          {t(`sms.encodings.${count.encoding}`)}
        </Text>
        <Text size="sm" fw={count.parts > 1 ? 700 : undefined} data-testid="sms-parts">
          {t("sms.counter.parts", {
            count: count.parts,
          })}
        </Text>
        <Text size="sm" c="dimmed" data-testid="sms-remaining">
          {t("sms.counter.remaining", { count: count.remaining })}
        </Text>
      </Group>
      {forcing.length > 0 && (
        <Text size="sm" c="orange.9" mt={4} data-testid="sms-ucs2-cause">
          {t("sms.counter.ucs2Cause", { characters: forcing.slice(0, 8).join(" ") })}
        </Text>
      )}
      <VisuallyHidden aria-live="polite">{spoken}</VisuallyHidden>
    </div>
  );
}
