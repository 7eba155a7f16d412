// Inputs for the custom fields an admin has defined, one per field, typed by the field's type.
import { Checkbox, SimpleGrid, TextInput } from "@mantine/core";
import { useCustomFields } from "../../api/catalogue.ts";
import type { CustomField } from "../../api/types.ts";

export type CustomValues = Record<string, string | number | boolean | null>;

export function CustomFieldsInput({
  values,
  onChange,
  errors,
}: {
  values: CustomValues;
  onChange: (values: CustomValues) => void;
  errors: Record<string, string>;
}) {
  const fields = useCustomFields();
  const items = fields.data?.items ?? [];
  if (items.length === 0) return null;
  const set = (key: string, value: string | number | boolean | null) => onChange({ ...values, [key]: value });

  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} mt="md">
      {items.map((field) => (
        <FieldInput
          key={field.key}
          field={field}
          value={values[field.key] ?? null}
          onChange={(value) => set(field.key, value)}
          error={errors[`customFields.${field.key}`]}
        />
      ))}
    </SimpleGrid>
  );
}

function FieldInput({
  field,
  value,
  onChange,
  error,
}: {
  field: CustomField;
  value: string | number | boolean | null;
  onChange: (value: string | number | boolean | null) => void;
  error: string | undefined;
}) {
  if (field.type === "boolean") {
    return (
      <Checkbox
        mt="lg"
        label={field.label}
        checked={value === true || value === "true"}
        onChange={(e) => onChange(e.currentTarget.checked)}
        error={error}
      />
    );
  }
  return (
    <TextInput
      label={field.label}
      type={field.type === "date" ? "date" : field.type === "number" ? "number" : "text"}
      value={value === null ? "" : String(value)}
      onChange={(e) => {
        const text = e.currentTarget.value;
        if (text === "") onChange(null);
        else onChange(field.type === "number" && !Number.isNaN(Number(text)) ? Number(text) : text);
      }}
      error={error}
    />
  );
}
