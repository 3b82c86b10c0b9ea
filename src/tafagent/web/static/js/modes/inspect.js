// Inspect config: a pasted config.json, read by the core into the normalised spec (each field with the config
// key it came from) and profiled. The share link carries the config itself, base64url-encoded UTF-8.
import { call } from "../core.js";
import { $, clear, el, formValues, setValue, short, table } from "../dom.js";
import { fmt } from "../format.js";
import { currentLang, t } from "../i18n.js";
import { renderCard } from "../card.js";
import { remember } from "../session.js";
import { decodeText, encodeText, writeUrl } from "../share.js";
import { run as queue, setStatus } from "../status.js";

function sourceText(source) {
  return source.kind === "config" ? t("inspect.from_config", { key: source.key }) : `${source.kind}${source.note ? ` — ${source.note}` : ""}`;
}

// The spec's fields as the config gave them (echoed with the page's formatter; objects as JSON, at most ~80
// characters on screen and the whole value in the tooltip, so a 40-entry layer_types list never widens the table).
function valueCell(value) {
  const text = typeof value === "object" && value !== null ? JSON.stringify(value) : fmt(value);
  return el("td", { class: "num", title: text.length > 80 ? text : null, text: short(text) });
}

function specTable(spec) {
  const rows = Object.entries(spec.sources).map(([field, source]) => el("tr", { dataset: { field } },
    el("th", { scope: "row", text: field }), valueCell(spec[field]), el("td", { text: sourceText(source) })));
  return el("div", {}, el("h3", { text: t("inspect.spec") }),
    table([t("inspect.field"), t("card.value"), t("inspect.source")], rows, { id: "inspect-spec" }));
}

export async function run(request, push = true) {
  const payload = await call("inspect_config", { config_text: request.config, t_eval: request.t_eval, lang: currentLang() });
  const cardBox = el("div", {});
  clear($("#inspect-out")).append(specTable(payload.spec), cardBox);
  renderCard(cardBox, payload, { model: t("inspect.pasted"), config_text: request.config, t_eval: request.t_eval }, "inspect-");
  remember("inspect", { type: "inspect", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("inspect", urlParams(request));
}

export function ready(v) { return Boolean(v.config); }

// A link's ``c`` (the encoded config) as the form's config text.
export function fromUrl(v) {
  if (!v.c) return v;
  try { v.config = decodeText(v.c); } catch (_) { v.config = ""; setStatus(t("error.bad_share"), true); }
  delete v.c;
  return v;
}

export function urlParams(v) { return v.config ? { c: encodeText(v.config), t_eval: v.t_eval } : { ...v }; }

export function fill(v) {
  setValue("#inspect-config", v.config); setValue("#inspect-t-eval", v.t_eval);
}

export function wire() {
  $("#inspect-form").addEventListener("submit", (e) => { e.preventDefault(); const f = formValues(e.target);
    queue(() => run({ config: $("#inspect-config").value, t_eval: f.t_eval })); });
}
