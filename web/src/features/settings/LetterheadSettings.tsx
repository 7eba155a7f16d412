// Settings → Letterhead: the sender block on composed letters (SPEC §13): company name, address lines, country,
// org number, phone, web and a logo (PNG or JPEG, at most 1 MB); the brand colour the hosted form pages use, with a
// preview of their button in the text colour the server will choose for it.
import {
  Box,
  Button,
  ColorInput,
  FileButton,
  Group,
  Image,
  Input,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { brandColours, contrast, isBrandColour, WHITE } from "../../../../src/settings/brand-colour.ts";
import { useApi } from "../../api/context.tsx";
import { ErrorAlert, Loading } from "../../app/feedback.tsx";
import { notifyFailure, notifySuccess } from "../../app/notify.ts";
import { fieldErrors } from "../../i18n/error-text.ts";
import { useI18n } from "../../i18n/i18n.tsx";
import { dataUri, type Letterhead } from "../documents/types.ts";

const MAX_LOGO = 1024 * 1024;
const KEY = ["settings", "letterhead"];

type Form = {
  companyName: string;
  addressLines: string;
  country: string;
  orgNumber: string;
  phone: string;
  web: string;
  brandColor: string;
};

const toForm = (l: Letterhead): Form => ({
  companyName: l.companyName,
  addressLines: l.addressLines.join("\n"),
  country: l.country,
  orgNumber: l.orgNumber ?? "",
  phone: l.phone ?? "",
  web: l.web ?? "",
  brandColor: l.brandColor ?? "",
});

const orNull = (text: string) => (text.trim() === "" ? null : text.trim());

export function LetterheadSettings() {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: KEY, queryFn: () => api.get<Letterhead>("/api/settings/letterhead") });
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [logoError, setLogoError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (query.data && form === null) setForm(toForm(query.data));
  }, [query.data, form]);

  async function write(body: Record<string, unknown>, done: string) {
    setBusy(true);
    setErrors({});
    try {
      const saved = await api.put<Letterhead>("/api/settings/letterhead", body);
      queryClient.setQueryData(KEY, saved);
      notifySuccess(done);
      return saved;
    } catch (error) {
      setErrors(fieldErrors(error, t));
      notifyFailure(error);
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!form) return;
    const brandColor = form.brandColor.trim();
    if (brandColor !== "" && !isBrandColour(brandColor)) {
      setErrors({ brandColor: t("settings.letterhead.brandColorInvalid") });
      return;
    }
    const saved = await write(
      {
        companyName: form.companyName.trim(),
        addressLines: form.addressLines
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean),
        country: form.country.trim(),
        orgNumber: orNull(form.orgNumber),
        phone: orNull(form.phone),
        web: orNull(form.web),
        brandColor: brandColor === "" ? null : brandColor.toLowerCase(),
      },
      t("settings.letterhead.saved"),
    );
    if (saved) setForm(toForm(saved));
  }

  async function setLogo(file: File | null) {
    setLogoError(null);
    if (!file) return;
    if (!/^image\/(png|jpeg)$/.test(file.type)) return setLogoError(t("settings.letterhead.logoType"));
    if (file.size > MAX_LOGO) return setLogoError(t("settings.letterhead.logoTooLarge"));
    const uri = await dataUri(file);
    await write({ logoBase64: uri.slice(uri.indexOf(",") + 1) }, t("settings.letterhead.logoSaved"));
  }

  if (query.isError) return <ErrorAlert error={query.error} />;
  if (query.isPending || form === null) return <Loading />;
  const set = (patch: Partial<Form>) => setForm({ ...form, ...patch });
  const logo = query.data.logo;

  return (
    <Stack gap="md" maw={720} data-testid="letterhead-settings">
      <Text size="sm">{t("settings.letterhead.intro")}</Text>
      <form onSubmit={save}>
        <Stack>
          <TextInput
            label={t("settings.letterhead.companyName")}
            value={form.companyName}
            onChange={(e) => set({ companyName: e.currentTarget.value })}
            error={errors.companyName}
          />
          <Textarea
            label={t("settings.letterhead.addressLines")}
            description={t("settings.letterhead.addressLinesHelp")}
            autosize
            minRows={3}
            value={form.addressLines}
            onChange={(e) => set({ addressLines: e.currentTarget.value })}
            error={errors.addressLines}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t("settings.letterhead.country")}
              description={t("settings.letterhead.countryHelp")}
              maxLength={2}
              value={form.country}
              onChange={(e) => set({ country: e.currentTarget.value.toUpperCase() })}
              error={errors.country}
            />
            <TextInput
              label={t("settings.letterhead.orgNumber")}
              value={form.orgNumber}
              onChange={(e) => set({ orgNumber: e.currentTarget.value })}
              error={errors.orgNumber}
            />
            <TextInput
              label={t("settings.letterhead.phone")}
              type="tel"
              value={form.phone}
              onChange={(e) => set({ phone: e.currentTarget.value })}
              error={errors.phone}
            />
            <TextInput
              label={t("settings.letterhead.web")}
              value={form.web}
              onChange={(e) => set({ web: e.currentTarget.value })}
              error={errors.web}
            />
          </SimpleGrid>
          <ColorInput
            label={t("settings.letterhead.brandColor")}
            description={t("settings.letterhead.brandColorHelp")}
            format="hex"
            withEyeDropper={false}
            fixOnBlur={false}
            placeholder="#0b5394"
            value={form.brandColor}
            onChange={(brandColor) => set({ brandColor })}
            error={errors.brandColor}
            data-testid="brand-color"
          />
          <BrandPreview color={form.brandColor.trim()} />
          <Group>
            <Button type="submit" loading={busy}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
      <Input.Wrapper label={t("settings.letterhead.logo")} description={t("settings.letterhead.logoHelp")}>
        <Group mt="xs" align="center">
          {logo ? (
            <Image
              src={`data:${logo.contentType};base64,${logo.base64}`}
              alt={t("settings.letterhead.logoAlt")}
              h={60}
              w="auto"
              fit="contain"
              data-testid="letterhead-logo"
            />
          ) : (
            <Text size="sm" c="dimmed">
              {t("settings.letterhead.noLogo")}
            </Text>
          )}
          <FileButton onChange={setLogo} accept="image/png,image/jpeg">
            {(p) => (
              <Button variant="default" loading={busy} {...p}>
                {logo ? t("settings.letterhead.replaceLogo") : t("settings.letterhead.uploadLogo")}
              </Button>
            )}
          </FileButton>
          {logo && (
            <Button
              variant="subtle"
              color="red"
              disabled={busy}
              onClick={() => write({ logoBase64: null }, t("settings.letterhead.logoRemoved"))}
            >
              {t("settings.letterhead.removeLogo")}
            </Button>
          )}
        </Group>
      </Input.Wrapper>
      {logoError && <ErrorAlert error={logoError} />}
    </Stack>
  );
}

/** The hosted page's button in the brand colour, with the text colour the page will use and its contrast. */
function BrandPreview({ color }: { color: string }) {
  const { t } = useI18n();
  if (!isBrandColour(color)) return null;
  const c = brandColours(color);
  const ratio = contrast(c.brand, c.onBrand).toFixed(1);
  return (
    <Group gap="sm" data-testid="brand-preview">
      <Text size="sm">
        {t(
          c.onBrand === WHITE ? "settings.letterhead.brandTextWhite" : "settings.letterhead.brandTextBlack",
          {
            ratio,
          },
        )}
      </Text>
      <Box aria-hidden px="md" py={6} style={{ background: c.brand, color: c.onBrand, borderRadius: 4 }}>
        {t("settings.letterhead.brandPreviewButton")}
      </Box>
    </Group>
  );
}
