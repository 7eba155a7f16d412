// A phone with one message in it: the sender on top, the text in a grey speech bubble, as the recipient sees it.
import { Box, Text } from "@mantine/core";
import { useI18n } from "../../i18n/i18n.tsx";

export function PhonePreview({ sender, text }: { sender: string | null; text: string }) {
  const { t } = useI18n();
  return (
    <Box
      role="group"
      aria-label={t("sms.preview.phoneLabel", { sender: sender ?? "–" })}
      data-testid="phone-preview"
      style={{
        width: 280,
        maxWidth: "100%",
        border: "10px solid var(--mantine-color-dark-7)",
        borderRadius: 36,
        background: "white",
        overflow: "hidden",
      }}
    >
      <Box
        py={10}
        px="sm"
        style={{
          background: "var(--mantine-color-gray-1)",
          borderBottom: "1px solid var(--mantine-color-gray-3)",
        }}
      >
        <Text ta="center" fw={600} size="sm" c="dark.9" data-testid="phone-sender">
          {sender ?? "–"}
        </Text>
      </Box>
      <Box p="sm" mih={260}>
        <Box
          data-testid="phone-bubble"
          style={{
            background: "var(--mantine-color-gray-2)",
            color: "var(--mantine-color-dark-9)",
            borderRadius: "18px 18px 18px 4px",
            padding: "8px 12px",
            maxWidth: "85%",
            whiteSpace: "pre-wrap",
            overflowWrap: "anywhere",
            fontSize: 14,
            lineHeight: 1.4,
          }}
        >
          {text}
        </Box>
      </Box>
    </Box>
  );
}
