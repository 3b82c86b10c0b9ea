// tafagent browser app: a thin shell. Every number comes from the Python core running in Pyodide inside a Web
// Worker (worker.js → tafagent.web.bridge); the page only fetches public configs, builds the DOM with
// createElement/textContent (never HTML strings), keeps the URL in sync and draws charts with Chart.js.
// This module starts the app, switches the tabs and routes the URL fragment to the modes (js/modes/*.js), each of
// which exports run(request, push), fill(values), ready(values) and wire(), and may export init() (after boot),
// relabel() (after a language switch), replay() (its own re-render), fromUrl(values) and urlParams(values) (its
// share-link encoding).
import { bootRuntime, runtime, startWorker } from "./core.js";
import { $, el } from "./dom.js";
import { setNumberMarks } from "./format.js";
import { currentLang, initialLanguage, loadLanguage, setLanguages, t } from "./i18n.js";
import { session } from "./session.js";
import { readUrl, wireShare, writeUrl } from "./share.js";
import { actedDuringBoot, busy, holdUntil, run, setStatus } from "./status.js";
import * as ask from "./modes/ask.js";
import * as compare from "./modes/compare.js";
import * as diagnose from "./modes/diagnose.js";
import * as extend from "./modes/extend.js";
import * as fit from "./modes/fit.js";
import * as inspect from "./modes/inspect.js";
import * as phase from "./modes/phase.js";
import * as profile from "./modes/profile.js";
import * as recipe from "./modes/recipe.js";

const MODES = { profile, compare, ask, recipe, inspect, diagnose, fit, extend, phase };  // in the order of the tabs

function knownMode(mode) { return Object.hasOwn(MODES, mode) ? mode : "profile"; }

function showMode(mode, focus = false) {
  session.mode = knownMode(mode);
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.mode === session.mode;
    tab.setAttribute("aria-selected", selected ? "true" : "false");
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
  for (const panel of document.querySelectorAll(".mode")) panel.hidden = panel.id !== `mode-${session.mode}`;
}

// A link's (or a tab's remembered) parameters as the mode's request.
function requestFromUrl(mode, params) {
  const v = {};
  const entries = params instanceof URLSearchParams ? params.entries() : Object.entries(params || {});
  for (const [k, val] of entries) if (!["mode", "lang"].includes(k)) v[k] = val;
  return MODES[mode].fromUrl ? MODES[mode].fromUrl(v) : v;
}

// Fill a mode's form from its parameters and run it when they are enough.
async function replay(mode, params) {
  const m = MODES[mode];
  const v = requestFromUrl(mode, params);
  m.fill(v);
  session.params[mode] = m.urlParams ? m.urlParams(v) : { ...v };
  if (m.replay) await m.replay(v);
  else if (m.ready(v)) await run(() => m.run(v, false));
}

// A tab: show the mode, put its own inputs back in the URL, and re-render it if the language changed meanwhile.
function switchMode(mode, focus = false) {
  showMode(mode, focus);
  writeUrl(session.mode, session.params[session.mode] || {});
  if (session.stale.has(session.mode)) {
    session.stale.delete(session.mode);
    replay(session.mode, session.params[session.mode] || {});
  }
}

// An import checked by the core: its mode, filled and run again (the export's numbers are never shown).
async function openImported(type, inputs) {
  showMode(type);
  MODES[session.mode].fill(inputs);
  await MODES[session.mode].run(inputs);
}

function wireTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener("click", () => switchMode(tab.dataset.mode));
    tab.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(tab);
      const target = { ArrowRight: tabs[(i + 1) % tabs.length], ArrowLeft: tabs[(i + tabs.length - 1) % tabs.length],
        Home: tabs[0], End: tabs[tabs.length - 1] }[e.key];
      if (target) {
        switchMode(target.dataset.mode, true);
        e.preventDefault();
      }
    });
  }
}

function wireLanguage() {
  $("#lang").addEventListener("change", async (e) => {
    await loadLanguage(e.target.value);
    recipe.relabelRecipes();
    for (const m of Object.values(MODES)) if (m.relabel) m.relabel();
    writeUrl(session.mode, session.params[session.mode] || {});
    // re-render what is on screen in the new language (the core localises verdicts, reasons and answers);
    // other modes' results are re-rendered when they are shown again
    for (const mode of Object.keys(session.results)) if (mode !== session.mode) session.stale.add(mode);
    if (diagnose.hasDiagnosis() && session.mode !== "diagnose") session.stale.add("diagnose");
    await replay(session.mode, session.params[session.mode] || {});
  });
}

// What the core told the page at boot: its languages, number marks, version, presets; then each mode's menus.
async function afterBoot(boot) {
  setLanguages(boot.languages);
  setNumberMarks(boot.number_group, boot.number_decimal);
  if (!boot.languages.includes(currentLang())) await loadLanguage("en");
  $("#version").textContent = t("app.version", { version: boot.version });
  const list = $("#preset-list");
  for (const p of boot.presets) list.append(el("option", { value: p.id }), ...p.aliases.map((a) => el("option", { value: a })));
  $("#preset-pick").append(...boot.presets.map((p) => el("option", { value: p.id, text: p.label || p.id })));
  $("#preset-pick").disabled = false;
  for (const m of Object.values(MODES)) if (m.init) m.init();
  recipe.relabelRecipes();
}

// The preset menu in the header: one choice opens that model's TAF Card.
function wirePresetPicker() {
  $("#preset-pick").addEventListener("change", (e) => {
    const model = e.target.value;
    if (!model) return;
    e.target.value = "";
    switchMode("profile");
    profile.fill({ model });
    run(() => profile.run({ model }));
  });
}

async function main() {
  startWorker();  // Pyodide starts loading at once, in parallel with the language file and the forms
  const params = readUrl();
  await loadLanguage(initialLanguage(params));
  const booted = bootRuntime().then(afterBoot);
  holdUntil(booted);  // an action taken during the boot waits for it, then runs
  for (const m of Object.values(MODES)) m.wire();
  wireShare(openImported);
  wireLanguage();
  wireTabs();
  wirePresetPicker();
  const mode = knownMode(params.get("mode"));
  showMode(mode);
  document.body.dataset.wired = "true";
  try {
    await booted;
  } catch (error) {
    busy(false);
    setStatus(t("status.failed_boot", { error: error.message }), true);
    return;
  }
  document.body.dataset.ready = "true";
  // a link pasted into this tab's address bar (only the fragment changes: no reload) is opened like a new one;
  // the page's own URL updates use history.replaceState, which fires no hashchange
  window.addEventListener("hashchange", () => {
    const next = readUrl();
    const nextMode = knownMode(next.get("mode"));
    const lang = next.get("lang");  // a link without one keeps the page's language
    const opened = lang && lang !== currentLang() ? loadLanguage(lang).then(() => recipe.relabelRecipes())
      : Promise.resolve();
    opened.then(() => { showMode(nextMode); return replay(nextMode, next); });
  });
  if (!actedDuringBoot()) {
    setStatus(t("status.ready"));
    await replay(mode, params);
  }
  document.body.dataset.loaded = "true";
}

main();
