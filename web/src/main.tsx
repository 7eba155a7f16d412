// Entry point: providers (Mantine, React Query, API client, language, session) around the routes.
import "@mantine/core/styles.css";
import "@mantine/charts/styles.css";
import "@mantine/notifications/styles.css";
import "./app/keyboard-and-reflow.css";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, StrictMode, useMemo } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ApiClient, ApiError } from "./api/client.ts";
import { ApiProvider } from "./api/context.tsx";
import { App } from "./app/App.tsx";
import { SessionProvider } from "./app/session.tsx";
import { appTheme, cssVariablesResolver } from "./app/theme.ts";
import { I18nProvider, useI18n } from "./i18n/i18n.tsx";

// Inside the language: the theme names Mantine's icon buttons in it.
function Themed({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const theme = useMemo(() => appTheme(t), [t]);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      {children}
    </MantineProvider>
  );
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // Client errors (404, 403, validation) will not get better by asking again.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

const api = new ApiClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <Themed>
        <Notifications position="bottom-right" />
        <QueryClientProvider client={queryClient}>
          <ApiProvider client={api}>
            <BrowserRouter>
              <SessionProvider>
                <App />
              </SessionProvider>
            </BrowserRouter>
          </ApiProvider>
        </QueryClientProvider>
      </Themed>
    </I18nProvider>
  </StrictMode>,
);
