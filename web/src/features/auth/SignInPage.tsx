// Sign-in with e-mail and password; says why when the server refuses.
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";
import { ApiError } from "../../api/client.ts";
import { LanguageSwitch } from "../../app/LanguageSwitch.tsx";
import { useSession } from "../../app/session.tsx";
import { useI18n } from "../../i18n/i18n.tsx";

export function SignInPage() {
  const { t } = useI18n();
  const { user, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = (location.state as { from?: string } | null)?.from ?? "/persons";

  if (user) return <Navigate to={next} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      navigate(next, { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.code === "LOGIN_FAILED") setError(t("signIn.failed"));
      else if (e instanceof ApiError && e.code === "RATE_LIMITED") setError(t("signIn.rateLimited"));
      else setError(t("errors.unexpected", { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Stack w={380} gap="md">
        {/* Landmarks as on the signed-in pages: the name in a header, the form the page's main, its one h1. */}
        <Stack gap={4} align="center" component="header">
          <Text fw={700} fz={32} c="blue.8">
            utsend
          </Text>
          <Text c="dimmed" size="sm">
            {t("app.tagline")}
          </Text>
        </Stack>
        <Paper withBorder shadow="sm" p="xl" radius="md" component="main">
          <form onSubmit={submit} noValidate>
            <Stack>
              <Title order={1} size="h3">
                {t("signIn.title")}
              </Title>
              {error && (
                <Alert color="red" role="alert">
                  {error}
                </Alert>
              )}
              <TextInput
                label={t("signIn.email")}
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                data-autofocus
              />
              <PasswordInput
                label={t("signIn.password")}
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy} fullWidth>
                {t("signIn.submit")}
              </Button>
            </Stack>
          </form>
        </Paper>
        <Center component="nav" aria-label={t("app.language")}>
          <LanguageSwitch />
        </Center>
      </Stack>
    </Center>
  );
}
