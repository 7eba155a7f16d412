// "New mailing": the choice between an e-mail, an SMS, a document and a form response, as cards with an icon and one
// line each.
import { Group, Radio, SimpleGrid, Text } from "@mantine/core";
import { CREATABLE_TYPES } from "../../../../src/mailings/words.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import type { MailingType } from "./types.ts";

const ICONS: Record<MailingType, string> = {
  email: "M3 6h18v12H3z M3 6l9 7 9-7",
  sms: "M4 5h16v10H9l-5 4z",
  document: "M6 3h9l4 4v14H6z M14 3v5h5 M9 12h7 M9 16h7",
  form: "M4 4h16v16H4z M8 9h8 M8 13h8 M8 17l2 2 4-4",
};

const SHOWN = (["email", "sms", "document", "form"] as const).filter((type) =>
  CREATABLE_TYPES.includes(type),
);

function Icon({ type }: { type: MailingType }) {
  return (
    <svg
      width="28"
      height="28"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      style={{ flexShrink: 0 }}
      aria-hidden="true"
    >
      <path d={ICONS[type]} strokeLinejoin="round" />
    </svg>
  );
}

export function MailingTypeChoice({
  value,
  onChange,
}: {
  value: MailingType;
  onChange: (type: MailingType) => void;
}) {
  const { t } = useI18n();
  return (
    <Radio.Group label={t("sms.newType.label")} value={value} onChange={(v) => onChange(v as MailingType)}>
      <SimpleGrid cols={{ base: 1, xs: SHOWN.length }} mt={6}>
        {SHOWN.map((type) => (
          <Radio.Card key={type} value={type} radius="md" p="sm" data-testid={`mailing-type-${type}`}>
            <Group wrap="nowrap" align="flex-start" gap="sm">
              <Radio.Indicator />
              <Icon type={type} />
              <div>
                <Text fw={600}>{t(`sms.newType.${type}`)}</Text>
                <Text size="sm" c="dimmed">
                  {t(`sms.newType.${type}Help`)}
                </Text>
              </div>
            </Group>
          </Radio.Card>
        ))}
      </SimpleGrid>
    </Radio.Group>
  );
}
