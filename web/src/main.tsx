// Entry point: providers (Mantine, React Query, API client, language, session) around the routes.
import "@mantine/core/styles.css";
import "@mantine/charts/styles.css";
import "@mantine/notifications/styles.css";
import "./app/keyboard-and-reflow.css";
import { createTheme, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ApiClient, ApiError } from "./api/client.ts";
import { ApiProvider } from "./api/context.tsx";
import { App } from "./app/App.tsx";
import { SessionProvider } from "./app/session.tsx";
import { I18nProvider } from "./i18n/i18n.tsx";

const theme = createTheme({
  primaryColor: "blue",
  defaultRadius: "sm",
  // A ring for keyboard focus only (a mouse click shows none); transitions off for who prefers reduced motion.
  focusRing: "auto",
  respectReducedMotion: true,
  fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
});

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
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <ApiProvider client={api}>
          <I18nProvider>
            <BrowserRouter>
              <SessionProvider>
                <App />
              </SessionProvider>
            </BrowserRouter>
          </I18nProvider>
        </ApiProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
