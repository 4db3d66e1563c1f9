// The message catalogue and the formats of the UI. `t` reads the current language from a rune,
// so every template that calls it re-renders when the language switches.
import type { Lang } from "../ipc/bindings";
import { en } from "./en";
import { zh, type MessageKey } from "./zh";

export type { MessageKey } from "./zh";
export const catalogues: Record<Lang, Record<MessageKey, string>> = { zh, en };

const state = $state<{ lang: Lang }>({ lang: "zh" });

export function currentLang(): Lang {
  return state.lang;
}

export function setCurrentLang(lang: Lang): void {
  state.lang = lang;
  if (typeof document !== "undefined") document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
}

export type Params = Record<string, string | number>;

/**
 * Fills `{name}` placeholders; a placeholder without a value stays visible so it is noticed.
 * `{n|finding|findings}` is a plural choice: the first word when `n` is 1, else the second (English
 * needs it, "1 finding" but "2 findings"; Chinese has no plural and does not use it).
 */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (whole, name: string, one: string, other: string) =>
      params[name] !== undefined ? (Number(params[name]) === 1 ? one : other) : whole,
    )
    .replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] !== undefined ? String(params[name]) : whole));
}

/** The message for `key` in the current language. */
export function t(key: MessageKey, params?: Params): string {
  return interpolate(catalogues[state.lang][key] ?? catalogues.zh[key] ?? key, params);
}

/** Whether `key` is in the catalogue (for keys built from data, such as error codes). */
export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zh, key);
}

/** A message whose key is built from data (a status, a role); falls back to `fallback`. */
export function tDynamic(key: string, fallback: MessageKey, params?: Params): string {
  return hasKey(key) ? t(key, params) : t(fallback, params);
}

/** A category's (or any zh/en pair's) name in the current language. */
export function localName(item: { name_zh: string; name_en: string }): string {
  return state.lang === "zh" ? item.name_zh : item.name_en || item.name_zh;
}
