import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { MESSAGES } from './messages';

export type Lang = 'sv' | 'en';
export const LANGS: readonly Lang[] = ['sv', 'en'];
const LANG_KEY = 'hub.console.lang';

export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

/** `{name}` placeholders filled from params; a missing key shows the key itself (and a test finds it). */
export function translate(lang: Lang, key: string, params?: Params): string {
  const text = MESSAGES[lang][key] ?? MESSAGES.sv[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
  /** Date and time in the user's language, Swedish time zone. */
  formatDateTime(iso: string | Date | null | undefined): string;
  formatDate(iso: string | Date | null | undefined): string;
  formatNumber(n: number): string;
}

const I18nContext = createContext<I18n | null>(null);

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export function useT(): Translate {
  return useI18n().t;
}

function initialLang(): Lang {
  const stored = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
  return stored === 'en' ? 'en' : 'sv';
}

const locale = (lang: Lang) => (lang === 'sv' ? 'sv-SE' : 'en-GB');

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(fixed ?? initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(LANG_KEY, l);
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(() => {
    const dt = new Intl.DateTimeFormat(locale(lang), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Stockholm' });
    const d = new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeZone: 'Europe/Stockholm' });
    const n = new Intl.NumberFormat(locale(lang));
    const fmt = (f: Intl.DateTimeFormat) => (v: string | Date | null | undefined) => (v ? f.format(typeof v === 'string' ? new Date(v) : v) : '–');
    return { lang, setLang, t: (key, params) => translate(lang, key, params), formatDateTime: fmt(dt), formatDate: fmt(d), formatNumber: (x) => n.format(x) };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
