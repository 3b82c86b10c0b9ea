// The page's UI strings (i18n/ui_<lang>.json, English as the fallback) and the language they are in. Results the
// core writes (verdicts, reasons, answers) come localised from the bridge; this module only labels the page.

const ui = { lang: "en", strings: {}, english: {}, languages: null };

export function currentLang() { return ui.lang; }

// The languages the page offers: the language menu's until the core has booted (the choice is made before
// Pyodide is loaded), then the core's own list (tafagent.core.messages.LANGUAGES, from the bridge's boot answer).
export function availableLanguages() {
  return ui.languages || [...document.querySelectorAll("#lang option")].map((option) => option.value);
}

export function setLanguages(languages) { ui.languages = [...languages]; }

export function t(key, params = {}) {
  let text = ui.strings[key] ?? ui.english[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

// ": " in the page's language (French "\u00a0: ", Chinese "："): every label-colon-text the page joins itself.
export function colon() { return t("punct.colon"); }

// A code from the core (evidence label, support, confidence band, corpus) in the page's language; an unknown
// code is shown as it is rather than as a missing key.
export function tCode(prefix, code) {
  const key = `${prefix}.${code}`;
  return ui.strings[key] ?? ui.english[key] ?? String(code);
}

// Each language's strings live in several files (one per owner: the page shell, the serving modes), merged.
const UI_FILES = ["ui", "ui_serving"];

async function loadStrings(code) {
  const parts = await Promise.all(UI_FILES.map(async (name) => {
    const response = await fetch(`i18n/${name}_${code}.json`);
    return response.ok ? response.json() : {};
  }));
  return Object.assign({}, ...parts);
}

function relabelDocument() {
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n, node.dataset.i18nN ? { n: node.dataset.i18nN } : {});
  }
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder));
  }
}

export async function loadLanguage(lang) {
  if (!Object.keys(ui.english).length) ui.english = await loadStrings("en");
  ui.lang = availableLanguages().includes(lang) ? lang : "en";
  ui.strings = ui.lang === "en" ? ui.english : await loadStrings(ui.lang);
  document.documentElement.lang = ui.lang === "zh" ? "zh-Hans" : ui.lang;
  relabelDocument();
  document.querySelector("#lang").value = ui.lang;
  try { localStorage.setItem("tafagent_lang", ui.lang); } catch (_) { /* storage may be disabled */ }
}

// The link's language, else the one chosen last time, else the browser's, else English.
export function initialLanguage(params) {
  const languages = availableLanguages();
  const fromUrl = params.get("lang");
  if (languages.includes(fromUrl)) return fromUrl;
  try {
    const stored = localStorage.getItem("tafagent_lang");
    if (languages.includes(stored)) return stored;
  } catch (_) { /* ignore */ }
  const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  return languages.includes(browser) ? browser : "en";
}
