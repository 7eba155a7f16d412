// The browser tab's title per route ("Personer – utsend"): the path's first segment, named as the navigation names
// it, so a screen reader and the tab list say where one is.
import { useEffect } from "react";
import { useLocation } from "react-router";
import { type MessageKey, useI18n } from "../i18n/i18n.tsx";

const SECTIONS: Record<string, MessageKey> = {
  "sign-in": "signIn.title",
  persons: "nav.persons",
  companies: "nav.companies",
  selections: "nav.selections",
  projects: "nav.projects",
  mailings: "nav.mailings",
  forms: "nav.forms",
  "registered-links": "followUp.registered.title",
  library: "library.title",
  "blocked-addresses": "nav.blockedAddresses",
  outbox: "nav.outbox",
  settings: "nav.settings",
};

export function useDocumentTitle(): void {
  const { pathname } = useLocation();
  const { t } = useI18n();
  useEffect(() => {
    const section = pathname.split("/")[1] ?? "";
    // "/" only redirects; any other unknown path is the not-found page.
    const key = SECTIONS[section] ?? (section === "" ? undefined : "errors.notFoundTitle");
    document.title = key ? `${t(key)} – utsend` : "utsend";
  }, [pathname, t]);
}
