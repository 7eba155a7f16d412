// A tiny i18n: messages from nb.json / en.json by dotted key, "{name}" placeholders, plural forms chosen by "{count}",
// language kept in localStorage.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import enJson from "./en.json";
import nb from "./nb.json";

// A message with a count is stored as "key_one" and "key_other" and asked for as "key".
type PluralBase<K extends string> = K extends `${infer Base}_${"one" | "other"}` ? Base : K;
type Leaves<T, P extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${PluralBase<K>}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

export type MessageKey = Leaves<typeof nb>;
export type Language = "nb" | "en";
export const LANGUAGES: { value: Language; label: string }[] = [
  { value: "nb", label: "Norsk" },
  { value: "en", label: "English" },
];

// Every English message must exist for every Norwegian key: checked here by the compiler.
const en: typeof nb = enJson;
const messages: Record<Language, typeof nb> = { nb, en };
const STORAGE_KEY = "utsend.language";
const LOCALES: Record<Language, string> = { nb: "nb-NO", en: "en-GB" };

// The count is a number, so that the plural form can be chosen from it; it is shown formatted for the language.
export type MessageVars = { count?: number } & Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: MessageVars) => string;

type I18n = {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  formatDate: (iso: string | null | undefined) => string;
  formatDateTime: (iso: string | null | undefined) => string;
  formatNumber: (value: number) => string;
};

const I18nContext = createContext<I18n | null>(null);

function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "en" || value === "nb" ? value : "nb";
  } catch {
    return "nb";
  }
}

function lookup(tree: unknown, key: string): string | undefined {
  let node = tree;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

/** The messages of one language, for code outside React's tree (a notification shown after an action). */
export function translator(language: Language): Translate {
  const locale = LOCALES[language];
  const plural = new Intl.PluralRules(locale);
  const number = new Intl.NumberFormat(locale);
  const find = (key: string) => lookup(messages[language], key) ?? lookup(messages.nb, key);
  return (key, vars) => {
    const count = vars?.count;
    const text =
      (typeof count === "number"
        ? (find(`${key}_${plural.select(count)}`) ?? find(`${key}_other`))
        : undefined) ??
      find(key) ??
      find(`${key}_other`) ??
      key;
    if (!vars) return text;
    const shown: Record<string, string | number> =
      typeof count === "number" ? { ...vars, count: number.format(count) } : vars;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in shown ? String(shown[name]) : whole));
  };
}

/** One language's whole message tree, for a library that takes its words as an object (the visual editor). */
export function messagesOf(language: Language): typeof nb {
  return messages[language];
}

/** The language the page is shown in now (the provider keeps it on <html lang>). */
export function pageLanguage(): Language {
  return document.documentElement.lang === "en" ? "en" : "nb";
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(storedLanguage);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  }, []);

  const value = useMemo<I18n>(() => {
    const locale = LOCALES[language];
    const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
    const number = new Intl.NumberFormat(locale);
    const t = translator(language);
    const safe = (format: Intl.DateTimeFormat) => (iso: string | null | undefined) => {
      if (!iso) return "";
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : format.format(d);
    };
    return {
      language,
      setLanguage,
      t,
      formatDate: safe(date),
      formatDateTime: safe(dateTime),
      formatNumber: (n) => number.format(n),
    };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The message for a key built from API data, or the fallback when the UI has no words for that value. */
export function translateKnown(t: Translate, key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error("useI18n outside I18nProvider");
  return context;
}
