// A search box that reports its text after the user pauses typing.
import { CloseButton, TextInput } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n/i18n.tsx";

export function SearchInput({
  value,
  onSearch,
  placeholder,
  label,
  w = 320,
}: {
  value: string;
  onSearch: (text: string) => void;
  placeholder: string;
  label?: string;
  w?: number | string;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(value);
  const report = useDebouncedCallback((next: string) => onSearch(next.trim()), 300);

  // Follow outside changes (back button, cleared filters) without undoing a trailing space being typed.
  useEffect(() => setText((current) => (current.trim() === value ? current : value)), [value]);

  return (
    <TextInput
      type="search"
      w={w}
      label={label}
      aria-label={label ? undefined : placeholder}
      placeholder={placeholder}
      value={text}
      onChange={(e) => {
        setText(e.currentTarget.value);
        report(e.currentTarget.value);
      }}
      rightSection={
        text ? (
          <CloseButton
            size="sm"
            aria-label={t("common.clear")}
            onClick={() => {
              report.cancel();
              setText("");
              onSearch("");
            }}
          />
        ) : null
      }
    />
  );
}
