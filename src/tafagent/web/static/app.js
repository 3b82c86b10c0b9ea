// tafagent browser app: a thin shell. Every number comes from the Python core running in Pyodide inside a Web
// Worker (worker.js → tafagent.web.bridge); this file only fetches public configs, builds the DOM with
// createElement/textContent (never HTML strings), keeps the URL in sync and draws charts with Chart.js.
"use strict";

const MODES = ["profile", "compare", "ask", "recipe", "inspect", "diagnose", "phase"];
const LANGS = ["en", "es", "fr", "zh"];
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const EXAMPLES = [
  "Will Llama-3-8B handle 32K context with needle-in-a-haystack retrieval?",
  "What can $5,000 train on H100s?",
  "Which GPU serves Llama-3.1-70B at 100M tokens/day most cheaply?",
  "Soft KV decay or a hard cutoff for Qwen2.5-7B at 32K?",
  "Should I train a custom 7B model or pay for GPT-4o at 50 million tokens a month?",
  "¿Puede Mistral-7B manejar 16K de contexto?",
];

const state = {
  site: null, worker: null, boot: null, lang: "en", ui: {}, uiEn: {}, mode: "profile",
  charts: {}, exampleIndex: 0, whatifTimer: null,
  results: {},        // mode → { type, inputs, payload, markdown }: what Export saves for the mode on screen
  params: {},         // mode → its share-URL inputs, so switching tabs keeps each mode's link
  stale: new Set(),   // modes rendered in another language, re-rendered when shown again
  diagnosisText: null, // the loaded diagnosis file, re-rendered after a language switch
  queue: Promise.resolve(), busyCount: 0,
};

// ---------------------------------------------------------------------------------------------- DOM helpers
function $(selector) { return document.querySelector(selector); }

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

function t(key, params = {}) {
  let text = state.ui[key] ?? state.uiEn[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

// A code from the core (evidence label, support, confidence band, corpus) in the page's language; an unknown
// code is shown as it is rather than as a missing key.
function tCode(prefix, code) {
  const key = `${prefix}.${code}`;
  return state.ui[key] ?? state.uiEn[key] ?? String(code);
}

// The language's number marks, exactly as the core writes them (tafagent.core.messages.NUMBER_GROUP/DECIMAL):
// "32 000" and "0,937" in Spanish and French, "32,000" and "0.937" in English and Chinese.
function localiseNumber(text) {
  if (state.lang !== "es" && state.lang !== "fr") return text;
  return text.replace(/[,.]/g, (mark) => (mark === "," ? "\u202f" : ","));
}

// Recipe names in the page's language (the core's message catalogs; English from the registry).
function recipeName(rid, fallback = "") {
  const names = (state.boot && state.boot.recipe_names[state.lang]) || {};
  return names[rid] || fallback || rid;
}

function relabelRecipes() {
  if (!state.boot) return;
  for (const option of document.querySelectorAll("option[data-recipe]")) {
    const recipe = state.boot.recipes.find((r) => r.id === option.dataset.recipe);
    option.textContent = `${option.dataset.recipe} — ${recipeName(option.dataset.recipe, recipe && recipe.name)}`;
  }
}

function fmt(value, unit = "") {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))) return t("na");
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  if (typeof value === "number") {
    let text;
    if (Number.isInteger(value)) text = localiseNumber(value.toLocaleString("en-US"));
    else if (value !== 0 && (Math.abs(value) >= 1e15 || Math.abs(value) < 1e-3)) text = localiseNumber(value.toExponential(3));
    else if (Math.abs(value) >= 1000) text = localiseNumber(Math.round(value).toLocaleString("en-US"));
    else text = localiseNumber(String(Number(value.toPrecision(4))));
    if (unit === "bytes") {
      return `${text} B (${localiseNumber((value / 1e9).toFixed(3))} GB, ${localiseNumber((value / 2 ** 30).toFixed(3))} GiB)`;
    }
    return unit && unit !== "dimensionless" ? `${text} ${unit}` : text;
  }
  return String(value);
}

function setStatus(text, isError = false) {
  const node = $("#status");
  node.textContent = text;
  node.classList.toggle("error", isError);
  // errors are also announced at once by screen readers (the status line itself is polite)
  $("#alert").textContent = isError ? text : "";
}

function busy(on) {
  state.busyCount = Math.max(0, state.busyCount + (on ? 1 : -1));
  $("#progress").hidden = state.busyCount === 0;
}

// ---------------------------------------------------------------------------------------------- Python bridge
// The core runs in a Web Worker (worker.js): every call is a message, answered with the bridge's JSON.
function startWorker() {
  state.worker = new Worker("worker.js");
  state.pending = new Map();
  state.nextId = 1;
  state.worker.onmessage = (event) => {
    const message = event.data;
    if (message.stage === "core") { setStatus(t("status.loading_core")); return; }
    const pending = state.pending.get(message.id);
    if (!pending) return;
    state.pending.delete(message.id);
    // the bridge answers errors as JSON; an `error` here is Pyodide itself failing
    if (message.error !== undefined) pending.reject(new Error(t("error.internal", { error: message.error })));
    else pending.resolve(message.text);
  };
  state.worker.onerror = (event) => {
    for (const pending of state.pending.values()) pending.reject(new Error(t("error.internal", { error: event.message || "worker" })));
    state.pending.clear();
  };
}

async function call(action, request = {}) {
  if (!state.worker || (!state.boot && action !== "boot")) throw new Error(t("status.not_ready"));
  const text = await new Promise((resolve, reject) => {
    const id = state.nextId++;
    state.pending.set(id, { resolve, reject });
    state.worker.postMessage({ id, action, request: JSON.stringify(request) });
  });
  const response = JSON.parse(text);
  if (!response.ok) throw new Error(response.error);
  return response;
}

async function bootRuntime() {
  const start = state.bootStart;
  busy(true);
  setStatus(t("status.loading_runtime"));
  state.site = await (await fetch("site.json")).json();
  state.boot = await call("boot");
  document.body.dataset.bootMs = String(Math.round(performance.now() - start));
  busy(false);
}

// ---------------------------------------------------------------------------------------------- languages
async function loadLanguage(lang) {
  const load = async (code) => {
    const response = await fetch(`i18n/ui_${code}.json`);
    return response.ok ? response.json() : {};
  };
  if (!Object.keys(state.uiEn).length) state.uiEn = await load("en");
  state.lang = LANGS.includes(lang) ? lang : "en";
  state.ui = state.lang === "en" ? state.uiEn : await load(state.lang);
  document.documentElement.lang = state.lang === "zh" ? "zh-Hans" : state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n, node.dataset.i18nN ? { n: node.dataset.i18nN } : {});
  }
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.setAttribute("placeholder", t(node.dataset.i18nPlaceholder));
  }
  $("#lang").value = state.lang;
  relabelRecipes();
  try { localStorage.setItem("tafagent_lang", state.lang); } catch (_) { /* storage may be disabled */ }
}

function initialLanguage(params) {
  const fromUrl = params.get("lang");
  if (LANGS.includes(fromUrl)) return fromUrl;
  try {
    const stored = localStorage.getItem("tafagent_lang");
    if (LANGS.includes(stored)) return stored;
  } catch (_) { /* ignore */ }
  const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  return LANGS.includes(browser) ? browser : "en";
}

// ---------------------------------------------------------------------------------------------- Hub access
async function resolveModel(name) {
  const model = (name || "").trim();
  const info = await call("classify", { model });
  if (info.preset) return { model: info.preset };
  const hint = info.suggestions.length ? t("error.did_you_mean", { names: info.suggestions.join(", ") }) : "";
  if (!info.hub_id) throw new Error(t("error.not_model", { model, suggestions: hint }));
  setStatus(t("status.fetching", { model }));
  const [repo, revision] = model.split("@");
  const base = state.site.hub_endpoint.replace(/\/+$/, "");
  const url = `${base}/${repo.split("/").map(encodeURIComponent).join("/")}/resolve/${encodeURIComponent(revision || "main")}/config.json`;
  let response;
  try {
    response = await fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" });
  } catch (_) {
    throw new Error(t("error.offline"));
  }
  // The Hub names the reason in X-Error-Code where CORS exposes it; anonymous 401s can mean any of three.
  const code = response.headers.get("X-Error-Code") || "";
  if (code === "GatedRepo" || response.status === 403) throw new Error(t("error.gated", { model }));
  if (code === "EntryNotFound") throw new Error(t("error.no_config", { model }));
  // Anonymous requests for private and for missing repos both get 401 RepoNotFound: say both.
  if (code === "RepoNotFound" && response.status === 401) throw new Error(t("error.unauthorized", { model }));
  if (code === "RepoNotFound" || code === "RevisionNotFound" || response.status === 404) {
    throw new Error(t("error.not_found", { model, suggestions: hint }));
  }
  if (response.status === 401) throw new Error(t("error.unauthorized", { model }));
  if (!response.ok) throw new Error(t("error.server", { status: response.status }));
  const text = await response.text();
  if (text.length > MAX_FILE_BYTES) throw new Error(t("error.too_large"));
  return { model: repo + (revision ? `@${revision}` : ""), config_text: text };
}

// ---------------------------------------------------------------------------------------------- URL state
// The state lives in the URL fragment (#mode=…&…), which browsers never send to the web host: what you type
// stays on this page even when you share the link. A ?query is still read, for links written by hand.
function readUrl() {
  const params = new URLSearchParams(window.location.search);
  const hash = window.location.hash.replace(/^#/, "");
  if (hash) for (const [key, value] of new URLSearchParams(hash)) params.set(key, value);
  return params;
}

function writeUrl(mode, params) {
  state.params[mode] = { ...params };
  const query = new URLSearchParams({ mode });
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
  }
  if (state.lang !== "en") query.set("lang", state.lang);
  history.replaceState(null, "", `${window.location.pathname}#${query.toString()}`);
}

function remember(mode, result) {
  state.results[mode] = result;
  state.stale.delete(mode);
}

function encodeText(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeText(encoded) {
  const base64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

// ---------------------------------------------------------------------------------------------- modes
function showMode(mode, focus = false) {
  state.mode = MODES.includes(mode) ? mode : "profile";
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.mode === state.mode;
    tab.setAttribute("aria-selected", selected ? "true" : "false");
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
  for (const panel of document.querySelectorAll(".mode")) panel.hidden = panel.id !== `mode-${state.mode}`;
}

// Runs one user action at a time, in order: a slow Hub fetch started first can never overwrite the result
// of a later action.
function run(task) {
  const job = state.queue.then(async () => {
    busy(true);
    setStatus(t("status.working"));
    state.actionStart = performance.now();  // the card timing starts at the user's action
    try {
      const message = await task();
      setStatus(typeof message === "string" ? message : t("status.ready"));
    } catch (error) {
      setStatus(error.message, true);
    } finally {
      busy(false);
    }
  });
  state.queue = job;
  return job;
}

// ---------------------------------------------------------------------------------------------- rendering
function table(headers, rows, attrs = {}) {
  const head = el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h }))));
  const body = el("tbody", {}, rows);
  return el("div", { class: "table-wrap" }, el("table", attrs, head, body));
}

function verdictTile(rid, result, localized) {
  const action = localized.mitigation;
  const none = ["None required.", "None — proceed with Chinchilla-optimal recipe."].includes(result.mitigation);
  return el("article", { class: `tile ${result.tone}`, dataset: { recipe: rid, verdict: result.verdict } },
    el("h3", { text: `${rid} — ${localized.recipe_name || result.recipe_name}` }),
    el("p", { class: "verdict", text: localized.verdict }),
    el("p", { class: "muted", text: t("card.confidence", { band: tCode("band", result.confidence.band) }) }),
    el("p", { class: "reason", text: localized.reason }),
    none ? null : el("p", {}, el("strong", { text: `${t("card.action")}: ` }), action));
}

function chainTable(result) {
  const rows = result.chain.map((step) => el("tr", { dataset: { step: step.name } },
    el("td", { text: step.step }),
    el("td", { text: step.section }),
    el("td", { text: step.name }),
    el("td", {}, el("code", { text: step.formula })),
    el("td", { class: "num", dataset: { value: JSON.stringify(step.result) }, text: stepResult(step) }),
    el("td", { text: tCode("evidence", step.evidence.label) }),
    el("td", { text: step.panel ? `${tCode("support", step.panel.support)} — ${step.panel.statistic}` : "" }),
    el("td", { text: step.interpretation })));
  return table([t("chain.step"), t("chain.section"), t("chain.name"), t("chain.formula"), t("chain.result"),
    t("chain.evidence"), t("chain.panel"), t("chain.meaning")], rows);
}

function stepResult(step) {
  const value = step.result;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const key of ["USD", "GB", "Mtok_breakeven", "USD_per_Mtok", "value", "low"]) {
      if (typeof value[key] === "number") return fmt(value[key], key === "GB" ? "GB" : "");
    }
    return "—";
  }
  if (Array.isArray(value)) return value.slice(0, 5).map((item) => (item && item.gpu) || String(item)).join(", ");
  return fmt(value, step.unit === "bytes" ? "bytes" : step.unit);
}

function resultBlock(result, localized, model = "") {
  const title = `${result.recipe_id} — ${localized.recipe_name || result.recipe_name}${model ? ` · ${model}` : ""}: ${localized.verdict}`;
  const details = el("details", { dataset: { recipe: result.recipe_id } },
    el("summary", { text: title }),
    el("p", { text: localized.reason }),
    chainTable(result),
    el("p", { class: "muted", text: `${t("chain.caveats")}: ${result.caveats.join(", ") || "—"}` }));
  return details;
}

// ``prefix`` keeps element ids unique when a card is shown in several modes (profile, inspect, diagnose).
function renderCard(target, payload, request, prefix = "") {
  const card = payload.card;
  const spec = card.model;
  clear(target);
  const theta = spec.rope_theta ? `θ ${fmt(spec.rope_theta)}` : t("card.no_rope");
  target.append(el("section", { class: "hero", "aria-label": spec.model_id },
    el("h2", { id: `${prefix}card-title`, text: t("card.title", { model: spec.model_id }) }),
    el("p", {}, el("strong", { text: card.architecture_class })),
    el("p", { text: t("card.specline", { params: fmt(spec.n_params), T_train: fmt(spec.T_train), T_eval: fmt(card.inputs.T_eval),
      theta, attention: spec.attention.toUpperCase() }) }),
    el("p", { id: `${prefix}card-summary`, dataset: card.summary, text: `${t("card.summary")}: ${card.summary.line}` })));
  for (const warning of spec.warnings) target.append(el("p", { class: "warning", text: warning }));
  target.append(el("h3", { text: t("card.verdicts") }));
  target.append(el("div", { class: "tiles" },
    Object.entries(card.recipes).map(([rid, result]) => verdictTile(rid, result, payload.localized[rid]))));

  target.append(el("h3", { text: t("card.key_numbers") }));
  const labels = {
    gamma_pade: [t("key.gamma_pade"), ""], gamma_corrected: [t("key.gamma_corrected"), ""], gamma_obs: [t("key.gamma_obs"), ""],
    d_horizon: [t("key.d_horizon"), "tokens"], d_horizon_measured: [t("key.d_horizon_measured"), "tokens"],
    l_niah: [t("key.l_niah"), "tokens"], chi: [t("key.chi"), ""], kv_cache_bytes: [t("key.kv_cache_bytes"), "bytes"],
    gamma_random_predicted: [t("key.gamma_random_predicted"), ""], compute_invariant_K: [t("key.compute_invariant_K"), "nats"],
  };
  const rows = [];
  for (const [key, [label, unit]] of Object.entries(labels)) {
    const value = card.key_numbers[key];
    if (value === null || value === undefined) continue;
    const evidence = card.key_evidence[key];
    rows.push(el("tr", { dataset: { key } },
      el("th", { scope: "row", text: label }),
      el("td", { class: "num", dataset: { value: JSON.stringify(value) }, text: fmt(value, unit) }),
      el("td", { text: tCode("evidence", payload.key_evidence_labels[key]) }),
      el("td", { text: evidence ? `${tCode("support", evidence.support)} — ${evidence.statistic}` : "" })));
  }
  target.append(table([t("card.quantity"), t("card.value"), t("card.evidence"), t("card.panel")], rows,
    { id: `${prefix}key-numbers` }));

  const measured = card.measured || {};
  const measuredItems = [];
  const describe = (m) => ["gamma_text", "gamma_random"].filter((k) => m[k])
    .map((k) => t("card.measured_gamma", { corpus: tCode("corpus", k.replace("gamma_", "")), gamma: localiseNumber(m[k].gamma.toFixed(3)),
      tier: m[k].tier })).join("; ");
  if (measured.in_panel && measured.match) measuredItems.push(`${measured.match.model}: ${describe(measured.match)}`);
  for (const n of measured.neighbours || []) {
    if (measured.in_panel && measured.match && n.model.model === measured.match.model) continue;
    measuredItems.push(t("card.neighbour", { model: n.model.model, distance: localiseNumber(n.distance.toFixed(2)), gammas: describe(n.model) || "—" }));
  }
  target.append(el("h3", { text: t("card.measured") }), el("ul", { id: `${prefix}measured` }, measuredItems.map((x) => el("li", { text: x }))));

  const d = card.diagnostics;
  target.append(el("h3", { text: t("card.diagnostics") }));
  if (d.gamma_used === null || d.gamma_used === undefined) {
    target.append(el("p", { text: t("card.no_gamma", { source: d.gamma_source }) }));
  } else {
    target.append(el("p", { text: `γ = ${localiseNumber(d.gamma_used.toFixed(4))} (${d.gamma_source}) · ${d.hagedorn_safety.label} · ${d.bimodal_phase_class} · K = ${localiseNumber(d.compute_invariant.K.toFixed(2))} (${d.compute_invariant.interpretation})` }));
  }
  target.append(el("h3", { text: t("card.falsifiers") }),
    el("ul", {}, card.falsification.map((f) => el("li", { text: `${f.id} ${f.claim}: ${f.status}${f.note ? ` — ${f.note}` : ""}` }))));

  if (spec.rope_theta) target.append(whatifBlock(card, request, prefix));
  target.append(el("h3", { text: t("card.decay") }), chartBox(`${prefix}decay-chart`, t("chart.decay_alt")));
  drawDecay(`${prefix}decay-chart`, payload.decay);
  target.append(el("h3", { text: t("card.chains") }));
  for (const [rid, result] of Object.entries(card.recipes)) target.append(resultBlock(result, payload.localized[rid]));
}

function whatifBlock(card, request, prefix = "") {
  const T = card.inputs.T_eval;
  const max = Math.max(4 * T, 200000);
  const step = Math.max(1, Math.round(max / 400));
  // The slider's values are min + k·step: choose min so that the card's own T_eval is one of them.
  const min = ((T - 1) % step) + 1;
  const slider = el("input", { type: "range", id: `${prefix}whatif`, min, max, step, value: T,
    "aria-describedby": `${prefix}whatif-help` });
  const output = el("p", { id: `${prefix}whatif-out`, "aria-live": "polite" });
  const update = () => {
    clearTimeout(state.whatifTimer);
    state.whatifTimer = setTimeout(async () => {
      try {
        const response = await call("whatif", { ...request, t_eval: Number(slider.value), lang: state.lang });
        const r = response.result;
        const get = (name) => (r.chain.find((s) => s.name === name) || {}).result;
        output.textContent = `T = ${fmt(Number(slider.value))}: γ_Padé ${fmt(get("γ_Padé"))} → ${fmt(get("γ-decomposition"))}, d_horizon ${fmt(get("d_horizon"))}, L_NIAH ${fmt(get("L_NIAH^c"))} — ${response.localized.verdict}: ${response.localized.reason}`;
        output.dataset.verdict = r.verdict;
      } catch (error) {
        output.textContent = error.message;
      }
    }, 60);
  };
  slider.addEventListener("input", update);
  update();
  return el("div", {},
    el("h3", {}, el("label", { for: `${prefix}whatif`, text: t("card.whatif") })),
    el("p", { id: `${prefix}whatif-help`, class: "muted", text: t("card.whatif.help") }),
    el("div", { class: "slider" }, slider), output);
}

// ---------------------------------------------------------------------------------------------- charts
function chartBox(id, label) { return el("div", { class: "chart" }, el("canvas", { id, role: "img", "aria-label": label })); }

function drawChart(id, config) {
  if (state.charts[id]) state.charts[id].destroy();
  const canvas = document.getElementById(id);
  if (!canvas || typeof Chart === "undefined") return;
  state.charts[id] = new Chart(canvas, { ...config, options: { animation: false, maintainAspectRatio: false, ...config.options } });
}

const PALETTE = ["#2952c5", "#d3542c", "#2b9348", "#8e44ad", "#b8860b", "#16a2b8", "#555555"];

function decayLabel(series) {
  if (series.kind === "predicted") return t("decay.predicted");
  if (series.kind === "measured") return t("decay.measured");
  return t("decay.panel", { model: series.model || series.label });
}

function drawDecay(id, decay) {
  drawChart(id, {
    type: "line",
    data: { datasets: decay.series.map((s, i) => ({
      label: `${decayLabel(s)} (γ = ${localiseNumber(s.gamma.toFixed(3))})`, data: s.points, borderColor: PALETTE[i % PALETTE.length],
      borderDash: s.kind === "panel" ? [5, 4] : [], pointRadius: 0, borderWidth: 2, parsing: false })) },
    options: { scales: { x: { type: "logarithmic", title: { display: true, text: t("chart.distance") } },
      y: { type: "logarithmic", title: { display: true, text: t("chart.share") } } } },
  });
}

// ---------------------------------------------------------------------------------------------- Profile
async function doProfile(request, push = true) {
  const start = state.actionStart ?? performance.now();
  const target = $("#profile-out");
  const model = await resolveModel(request.model);
  const full = { ...model, t_eval: request.t_eval, gamma_obs: request.gamma_obs, gamma_random: request.gamma_random,
    gamma_text: request.gamma_text, lang: state.lang };
  const payload = await call("profile_card", full);
  renderCard(target, payload, full);
  document.body.dataset.cardMs = String(Math.round(performance.now() - start));
  document.body.dataset.cards = String(Number(document.body.dataset.cards || 0) + 1);
  remember("profile", { type: "profile", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("profile", request);
}

function formValues(form) {
  const values = {};
  for (const [key, value] of new FormData(form).entries()) values[key] = typeof value === "string" ? value.trim() : value;
  return values;
}

// ---------------------------------------------------------------------------------------------- Compare
async function doCompare(request, push = true) {
  const target = $("#compare-out");
  const names = [request.m1, request.m2, request.m3].filter((x) => x);
  const models = [];
  for (const name of names) models.push(await resolveModel(name));
  const payload = await call("compare_models", { models, recipe: request.recipe, t_eval: request.t_eval, lang: state.lang });
  const c = payload.comparison;
  clear(target);
  target.append(el("h2", { text: `${c.recipe_id} — ${recipeName(c.recipe_id, c.recipe_name)}` }));
  const rows = c.rows.map((row, i) => el("tr", { class: row.tone, dataset: { model: row.model, verdict: row.verdict } },
    el("th", { scope: "row", text: row.model }),
    el("td", { text: payload.localized[i].verdict }),
    el("td", { text: payload.localized[i].reason }),
    payload.columns.map((col) => el("td", { class: "num", dataset: { key: col, value: JSON.stringify(row.key_numbers[col] ?? null) },
      text: row.key_numbers[col] === undefined ? "—" : fmt(row.key_numbers[col]) }))));
  // each key-number column with its unit and evidence label (from the core)
  target.append(table([t("compare.model"), t("compare.verdict"), t("compare.reason"), ...payload.column_headers],
    rows, { id: "compare-table" }));
  if (payload.columns.length) {
    const select = el("select", { id: "compare-metric" }, payload.columns.map((col) => el("option", { value: col, text: col })));
    target.append(el("label", { for: "compare-metric", text: t("compare.chart") }), select, chartBox("compare-chart", t("chart.compare_alt")));
    const draw = () => drawChart("compare-chart", {
      type: "bar",
      data: { labels: c.rows.map((r) => r.model), datasets: [{ label: select.value,
        data: c.rows.map((r) => r.key_numbers[select.value] ?? null), backgroundColor: PALETTE.slice(0, c.rows.length) }] },
      options: { plugins: { legend: { display: false } } },
    });
    select.addEventListener("change", draw);
    draw();
  }
  for (const [i, row] of c.rows.entries()) target.append(resultBlock(row.result, payload.localized[i], row.model));
  remember("compare", { type: "compare", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("compare", request);
}

// ---------------------------------------------------------------------------------------------- Ask
async function doAsk(request, push = true) {
  const target = $("#ask-out");
  const payload = await call("ask_question", { question: request.q, lang: state.lang });
  const answer = payload.answer;
  clear(target);
  if (!answer.recipe_id) {
    target.append(el("p", { class: "warning", text: `${t("ask.cannot_route")} ${answer.why || ""}` }),
      el("h3", { text: t("ask.suggestions") }),
      el("ul", {}, (answer.suggestions || []).map((s) => el("li", { text: typeof s === "string" ? s : `${s.recipe_id}: ${s.reason || s.why || ""}` }))));
  } else {
    target.append(el("h3", { text: `${t("ask.route")}: ${answer.recipe_id}` }));
    const rows = Object.entries(answer.params || {}).map(([name, value]) => el("tr", { dataset: { param: name } },
      el("th", { scope: "row", text: name }), el("td", { class: "num", text: fmt(value) }),
      el("td", { text: (answer.param_sources || {})[name] || "" })));
    target.append(table([t("ask.parameter"), t("card.value"), t("ask.source")], rows, { id: "ask-params" }));
    if (answer.assumed && answer.assumed.length) {
      target.append(el("h3", { text: t("ask.assumed") }), el("ul", {}, answer.assumed.map((a) => el("li", { text: a }))));
    }
    if (answer.answer || answer.summary) {
      target.append(el("h3", { text: t("ask.answer") }), el("p", { class: "answer", id: "ask-answer", text: answer.answer || answer.summary }));
    }
    if (answer.result) {
      const loc = answer.localized || { verdict: answer.result.verdict, reason: answer.result.reason, mitigation: answer.result.mitigation };
      const tile = verdictTile(answer.result.recipe_id, answer.result, loc);
      tile.id = "ask-verdict";
      target.append(el("div", { class: "tiles" }, tile));
      target.append(resultBlock(answer.result, loc));
    }
  }
  remember("ask", { type: "ask", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("ask", request);
}

// ---------------------------------------------------------------------------------------------- Pick recipe
function buildRecipeForm(recipeId, values = {}) {
  const recipe = state.boot.recipes.find((r) => r.id === recipeId) || state.boot.recipes[0];
  $("#recipe-id").value = recipe.id;
  $("#recipe-description").textContent = recipe.description;
  const box = clear($("#recipe-params"));
  for (const p of recipe.params) {
    const id = `param-${p.name}`;
    let input;
    if (p.type === "bool") {
      input = el("select", { id, name: p.name }, el("option", { value: "", text: "—" }), el("option", { value: "true", text: t("yes") }), el("option", { value: "false", text: t("no") }));
    } else if (p.choices === "gpu" || p.choices === "api" || (p.options && p.options.length)) {
      const options = p.options && p.options.length ? p.options : (p.choices === "gpu" ? state.boot.gpus : state.boot.apis);
      input = el("select", { id, name: p.name }, el("option", { value: "", text: "—" }), options.map((o) => el("option", { value: o, text: o })));
    } else {
      input = el("input", { id, name: p.name, inputmode: p.type === "str" ? "text" : "decimal" });
    }
    if (values[p.name] !== undefined) input.value = values[p.name];
    const help = [p.help];
    if (p.default !== null && p.default !== undefined) help.push(t("recipe.default", { value: p.default }));
    if (p.unit) help.push(p.unit);
    box.append(el("label", { for: id, text: p.name }), input, el("p", { class: "param-help", id: `${id}-help`, text: help.join(" · ") }));
    input.setAttribute("aria-describedby", `${id}-help`);
  }
}

async function doRecipe(request, push = true) {
  const target = $("#recipe-out");
  const recipe = state.boot.recipes.find((r) => r.id === request.recipe);
  if (!recipe) throw new Error(t("error.unknown_recipe", { id: String(request.recipe).slice(0, 40) }));
  const params = {};
  for (const p of recipe.params) if (request[`p.${p.name}`]) params[p.name] = request[`p.${p.name}`];
  const model = request.model ? await resolveModel(request.model) : {};
  const payload = await call("run_one_recipe", { ...model, recipe: recipe.id, params, lang: state.lang });
  clear(target);
  const r = payload.result;
  target.append(el("div", { class: "tiles" }, verdictTile(r.recipe_id, r, payload.localized)));
  target.append(chainTable(r));
  const inputs = Object.entries(r.inputs).map(([name, value]) => el("tr", {}, el("th", { scope: "row", text: name }),
    el("td", { class: "num", text: fmt(value) }), el("td", { text: r.input_sources[name] || "" })));
  target.append(el("h3", { text: t("chain.inputs") }), table([t("ask.parameter"), t("card.value"), t("ask.source")], inputs));
  remember("recipe", { type: "recipe", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("recipe", request);
}

// ---------------------------------------------------------------------------------------------- Inspect
async function doInspect(request, push = true) {
  const target = $("#inspect-out");
  const payload = await call("inspect_config", { config_text: request.config, t_eval: request.t_eval, lang: state.lang });
  const spec = payload.spec;
  const rows = Object.entries(spec.sources).map(([field, source]) => el("tr", { dataset: { field } },
    el("th", { scope: "row", text: field }),
    el("td", { class: "num", text: typeof spec[field] === "object" && spec[field] !== null ? JSON.stringify(spec[field]) : fmt(spec[field]) }),
    el("td", { text: source.kind === "config" ? t("inspect.from_config", { key: source.key }) : `${source.kind}${source.note ? ` — ${source.note}` : ""}` })));
  const specBox = el("div", {}, el("h3", { text: t("inspect.spec") }),
    table([t("inspect.field"), t("card.value"), t("inspect.source")], rows, { id: "inspect-spec" }));
  const cardBox = el("div", {});
  clear(target).append(specBox, cardBox);
  renderCard(cardBox, payload, { model: t("inspect.pasted"), config_text: request.config, t_eval: request.t_eval }, "inspect-");
  remember("inspect", { type: "inspect", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("inspect", { c: encodeText(request.config), t_eval: request.t_eval });
}

// ---------------------------------------------------------------------------------------------- Diagnose
async function updateDiagnoseCommand(push = true) {
  const values = formValues($("#diagnose-form"));
  const fast = $("#diagnose-fast").checked;
  try {
    const response = await call("diagnose_command", { ...values, fast });
    $("#diagnose-command").textContent = response.command;
    if (push && state.mode === "diagnose") writeUrl("diagnose", { ...values, fast: fast ? "1" : "" });
  } catch (error) {
    $("#diagnose-command").textContent = `# ${error.message}`;
  }
}

async function readFile(input) {
  const file = input.files && input.files[0];
  if (!file) return null;
  input.value = "";  // choosing the same file again must fire "change" again
  if (file.size > MAX_FILE_BYTES) throw new Error(t("error.too_large"));
  return file.text();
}

async function doLoadDiagnosis(text) {
  const target = $("#diagnose-out");
  const response = await call("load_diagnosis_file", { text });
  state.diagnosisText = text;
  const diag = response.diagnosis;
  const inputs = response.card_inputs;
  clear(target);
  const gamma = diag.gamma ?? inputs.gamma_obs ?? inputs.gamma_random;
  target.append(el("p", { id: "diagnosis-summary", text: t("diagnose.loaded", { gamma: fmt(gamma), r2: fmt(diag.R2), model: diag.model }) }));
  if (diag.distinguishable_from_uniform === false) {
    target.append(el("p", { class: "warning", id: "diagnosis-uniform", text: t("diagnose.uniform") }));
  }
  const points = Object.entries(diag.attn_by_distance || {}).map(([d, a]) => ({ x: Number(d), y: a })).filter((p) => p.y > 0);
  if (points.length) {
    target.append(el("h3", { text: t("diagnose.curve") }), chartBox("diagnosis-chart", t("chart.diagnosis_alt")));
    const fit = response.fit_points;  // A(d) = exp(log_A)·d^−γ, computed by the core
    drawChart("diagnosis-chart", { type: "scatter", data: { datasets: [
      { label: t("chart.measured"), data: points, backgroundColor: PALETTE[0] },
      { label: t("chart.fit", { gamma: fmt(gamma) }), data: fit, type: "line", borderColor: PALETTE[1], pointRadius: 0 }] },
      options: { scales: { x: { type: "logarithmic" }, y: { type: "logarithmic" } } } });
  }
  const cardBox = el("div", {});
  target.append(cardBox);
  const name = inputs.model || "";
  try {
    const model = await resolveModel(name);
    const payload = await call("profile_card", { ...model, gamma_obs: inputs.gamma_obs, gamma_random: inputs.gamma_random,
      gamma_text: inputs.gamma_text, lang: state.lang });
    renderCard(cardBox, payload, { ...model, gamma_obs: inputs.gamma_obs }, "diagnosis-");
  } catch (error) {
    cardBox.append(el("p", { class: "warning", text: error.message }));
  }
}

// ---------------------------------------------------------------------------------------------- Phase
async function doPhase(request, push = true) {
  const target = $("#phase-out");
  const model = request.model ? await resolveModel(request.model) : {};
  const payload = await call("phase_diagram", { ...model, t_eval: request.t_eval });
  clear(target);
  target.append(el("h3", { text: t("phase.chart") }), chartBox("phase-chart", t("chart.phase_alt")));
  const text = payload.points.filter((p) => p.corpus === "text");
  const random = payload.points.filter((p) => p.corpus === "random");
  const datasets = [
    { label: t("phase.text"), data: text, backgroundColor: PALETTE[0] },
    { label: t("phase.random"), data: random, backgroundColor: "rgba(211,84,44,0.45)" },
    { label: t("phase.pade", { T: payload.T }), data: payload.curve, type: "line", borderColor: "#444", pointRadius: 0 },
    { label: t("phase.hagedorn"), data: [{ x: 3, y: 1 }, { x: 7.2, y: 1 }], type: "line", borderColor: "#e25555", borderDash: [6, 4], pointRadius: 0 },
  ];
  if (payload.user) datasets.push({ label: `${t("phase.user")}: ${payload.user.model}`, data: [payload.user], backgroundColor: "#2b9348", pointRadius: 8 });
  drawChart("phase-chart", { type: "scatter", data: { datasets },
    options: { scales: { x: { min: 3, max: 7.2, title: { display: true, text: t("chart.log_theta") } }, y: { min: -0.2, max: 1.6, title: { display: true, text: "γ" } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.raw.model || ctx.dataset.label}: γ = ${localiseNumber(Number(ctx.raw.y).toFixed(3))}` } } },
      // a click on a measured model loads it into the Profile and Diagnose forms
      onClick: (_event, elements, chart) => {
        const hit = elements[0];
        const point = hit && chart.data.datasets[hit.datasetIndex].data[hit.index];
        if (!point || !point.model || !point.corpus) return;
        $("#profile-model").value = point.model;
        $("#diagnose-model").value = point.model;
        updateDiagnoseCommand();
        setStatus(t("phase.loaded", { model: point.model }));
      } } });
  const validation = await call("validation_summary", {});
  const rows = (validation.rows || []).map((law) => el("tr", { dataset: { law: law.law } },
    el("th", { scope: "row", text: law.title }),
    el("td", { text: tCode("support", law.support) }), el("td", { class: "num", dataset: { value: String(law.n) }, text: fmt(law.n) }),
    el("td", { class: "num", text: fmt(law.mae ?? null) }), el("td", { class: "num", text: fmt(law.r ?? null) }),
    el("td", { class: "num", text: law.hits !== undefined && law.hits !== null ? `${law.hits}/${law.n}` : "—" })));
  target.append(el("h3", { text: t("phase.validation") }),
    table([t("phase.law"), t("phase.support"), t("phase.n"), t("phase.mae"), t("phase.r"), t("phase.hits")], rows, { id: "validation-table" }));
  const claims = (validation.dashboard.claims || []).map((c) => el("tr", { dataset: { claim: c.id, status: c.status } },
    el("th", { scope: "row", text: c.id }), el("td", { text: c.claim }), el("td", { text: c.reference_status ? tCode("claim", c.reference_status) : "" }),
    el("td", { text: tCode("claim", c.status) }), el("td", { class: "num", text: fmt(c.n ?? null) }), el("td", { text: c.evidence || "" })));
  target.append(el("h3", { text: t("phase.dashboard") }),
    table([t("phase.id"), t("phase.claim"), t("phase.reference_status"), t("phase.our_status"), t("phase.n"), t("phase.evidence")], claims,
      { id: "dashboard-table" }));
  remember("phase", { type: "phase", inputs: request, payload, markdown: null });
  if (push) writeUrl("phase", request);
}

// ---------------------------------------------------------------------------------------------- share / export / import
function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  setStatus(t("status.exported", { file: name }));
}

function exportJson() {
  const last = state.results[state.mode];
  if (!last) { setStatus(t("status.nothing_to_export"), true); return; }
  const envelope = { _taf_export: true, type: last.type, version: state.boot.version,
    exported_at: new Date().toISOString(), inputs: last.inputs, result: last.payload };
  download(`taf-${last.type}.json`, JSON.stringify(envelope, null, 2), "application/json");
}

function exportMarkdown() {
  const last = state.results[state.mode];
  if (!last) { setStatus(t("status.nothing_to_export"), true); return; }
  if (!last.markdown) { setStatus(t("status.no_markdown"), true); return; }
  download(`taf-${last.type}.md`, last.markdown, "text/markdown");
}

async function importJson(text) {
  const checked = await call("check_import", { text });
  const inputs = checked.inputs;
  const map = { profile: doProfile, compare: doCompare, recipe: doRecipe, ask: doAsk, inspect: doInspect, phase: doPhase };
  showMode(checked.type);
  fillForm(checked.type, inputs);
  await map[checked.type](inputs);
  return t("status.imported", { when: checked.exported_at || "?" });
}

async function share() {
  const url = window.location.href;
  try {
    await navigator.clipboard.writeText(url);
    setStatus(t("status.copied"));
  } catch (_) {
    setStatus(t("status.copy_failed", { url }));
  }
}

// ---------------------------------------------------------------------------------------------- forms ↔ state
function fillForm(mode, v) {
  const set = (sel, value) => { if (value !== undefined && value !== null) $(sel).value = value; };
  if (mode === "profile") { set("#profile-model", v.model); set("#profile-t-eval", v.t_eval); set("#profile-gamma-obs", v.gamma_obs); set("#profile-gamma-random", v.gamma_random); }
  if (mode === "compare") { set("#compare-model-1", v.m1); set("#compare-model-2", v.m2); set("#compare-model-3", v.m3); set("#compare-recipe", v.recipe); set("#compare-t-eval", v.t_eval); }
  if (mode === "ask") set("#ask-question", v.q);
  if (mode === "recipe") {
    const values = {};
    for (const [k, val] of Object.entries(v)) if (k.startsWith("p.")) values[k.slice(2)] = val;
    buildRecipeForm(v.recipe || "X-2", values);
    set("#recipe-model", v.model);
  }
  if (mode === "inspect") { set("#inspect-config", v.config); set("#inspect-t-eval", v.t_eval); }
  if (mode === "phase") { set("#phase-model", v.model); set("#phase-t-eval", v.t_eval); }
  if (mode === "diagnose") {
    set("#diagnose-model", v.model); set("#diagnose-protocol", v.protocol); set("#diagnose-corpus", v.corpus);
    set("#diagnose-device", v.device);
    $("#diagnose-fast").checked = v.fast === "1";
  }
}

function requestFromUrl(mode, params) {
  const v = {};
  const entries = params instanceof URLSearchParams ? params.entries() : Object.entries(params || {});
  for (const [k, val] of entries) if (!["mode", "lang"].includes(k)) v[k] = val;
  if (mode === "inspect" && v.c) {
    try { v.config = decodeText(v.c); } catch (_) { v.config = ""; setStatus(t("error.bad_share"), true); }
    delete v.c;
  }
  return v;
}

function wireForms() {
  $("#profile-form").addEventListener("submit", (e) => { e.preventDefault(); const v = formValues(e.target); run(() => doProfile(v)); });
  $("#compare-form").addEventListener("submit", (e) => { e.preventDefault(); const f = formValues(e.target);
    run(() => doCompare({ m1: f.model1, m2: f.model2, m3: f.model3, recipe: f.recipe, t_eval: f.t_eval })); });
  $("#ask-form").addEventListener("submit", (e) => { e.preventDefault(); run(() => doAsk({ q: $("#ask-question").value.trim() })); });
  $("#ask-example").addEventListener("click", () => { $("#ask-question").value = EXAMPLES[state.exampleIndex++ % EXAMPLES.length]; $("#ask-question").focus(); });
  $("#recipe-id").addEventListener("change", () => buildRecipeForm($("#recipe-id").value));
  $("#recipe-form").addEventListener("submit", (e) => { e.preventDefault(); const f = formValues(e.target);
    const v = { recipe: f.recipe, model: f.model };
    for (const [k, val] of Object.entries(f)) if (!["recipe", "model"].includes(k) && val !== "") v[`p.${k}`] = val;
    run(() => doRecipe(v)); });
  $("#inspect-form").addEventListener("submit", (e) => { e.preventDefault(); const f = formValues(e.target);
    run(() => doInspect({ config: $("#inspect-config").value, t_eval: f.t_eval })); });
  $("#phase-form").addEventListener("submit", (e) => { e.preventDefault(); run(() => doPhase(formValues(e.target))); });
  for (const node of document.querySelectorAll("#diagnose-form select, #diagnose-form input")) {
    node.addEventListener("input", updateDiagnoseCommand);
    node.addEventListener("change", updateDiagnoseCommand);
  }
  $("#diagnose-copy").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText($("#diagnose-command").textContent); setStatus(t("status.command_copied")); }
    catch (_) { setStatus($("#diagnose-command").textContent); }
  });
  $("#diagnose-file").addEventListener("change", (e) => run(async () => { const text = await readFile(e.target); if (text !== null) await doLoadDiagnosis(text); }));
  $("#share").addEventListener("click", share);
  $("#export-json").addEventListener("click", exportJson);
  $("#export-md").addEventListener("click", exportMarkdown);
  $("#import-file").addEventListener("change", (e) => run(async () => {
    try { const text = await readFile(e.target); return text === null ? undefined : await importJson(text); }
    catch (error) { throw new Error(t("error.import", { error: error.message })); }
  }));
  $("#lang").addEventListener("change", async (e) => {
    await loadLanguage(e.target.value);
    writeUrl(state.mode, state.params[state.mode] || {});
    // re-render what is on screen in the new language (the core localises verdicts, reasons and answers);
    // other modes' results are re-rendered when they are shown again
    for (const mode of Object.keys(state.results)) if (mode !== state.mode) state.stale.add(mode);
    if (state.diagnosisText !== null && state.mode !== "diagnose") state.stale.add("diagnose");
    await replay(state.mode, state.params[state.mode] || {});
  });
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

// A tab: show the mode, put its own inputs back in the URL, and re-render it if the language changed meanwhile.
function switchMode(mode, focus = false) {
  showMode(mode, focus);
  writeUrl(state.mode, state.params[state.mode] || {});
  if (state.stale.has(state.mode)) {
    state.stale.delete(state.mode);
    replay(state.mode, state.params[state.mode] || {});
  }
}

async function replay(mode, params) {
  const v = requestFromUrl(mode, params);
  fillForm(mode, v);
  state.params[mode] = mode === "inspect" && v.config ? { c: encodeText(v.config), t_eval: v.t_eval } : { ...v };
  const actions = { profile: doProfile, compare: doCompare, ask: doAsk, recipe: doRecipe, inspect: doInspect, phase: doPhase };
  if (mode === "diagnose") {
    await updateDiagnoseCommand(false);
    if (state.diagnosisText !== null) await run(() => doLoadDiagnosis(state.diagnosisText));
    return;
  }
  const ready = { profile: v.model, compare: v.m1 && v.m2, ask: v.q, recipe: v.recipe, inspect: v.config, phase: true };
  if (actions[mode] && ready[mode]) await run(() => actions[mode](v, false));
}

// ---------------------------------------------------------------------------------------------- start
async function main() {
  startWorker();  // Pyodide starts loading at once, in parallel with the language file and the forms
  state.bootStart = performance.now();
  const params = readUrl();
  await loadLanguage(initialLanguage(params));
  wireForms();
  const mode = MODES.includes(params.get("mode")) ? params.get("mode") : "profile";
  showMode(mode);
  try {
    await bootRuntime();
  } catch (error) {
    busy(false);
    setStatus(t("status.failed_boot", { error: error.message }), true);
    return;
  }
  $("#version").textContent = t("app.version", { version: state.boot.version });
  const list = $("#preset-list");
  for (const p of state.boot.presets) list.append(el("option", { value: p.id }), ...p.aliases.map((a) => el("option", { value: a })));
  const recipeOptions = () => state.boot.recipes.map((r) => el("option", { value: r.id, dataset: { recipe: r.id } }));
  $("#compare-recipe").append(...recipeOptions());
  $("#recipe-id").append(...recipeOptions());
  relabelRecipes();
  buildRecipeForm("X-2");
  updateDiagnoseCommand(false);
  setStatus(t("status.ready"));
  document.body.dataset.ready = "true";
  await replay(mode, params);
  document.body.dataset.loaded = "true";
}

main();
