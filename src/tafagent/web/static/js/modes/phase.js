// Phase diagram: the reference panel's measured γ against log10 θ with the Padé curve at the user's length, and
// every predictive law checked against those measurements (same as `taf validate`).
import { call } from "../core.js";
import { $, clear, el, formValues, setValue, table } from "../dom.js";
import { fixed, fmt } from "../format.js";
import { colon, currentLang, t, tCode } from "../i18n.js";
import { PALETTE, chartBox, drawChart } from "../charts.js";
import { resolveModel } from "../hub.js";
import { remember } from "../session.js";
import { writeUrl } from "../share.js";
import { run as queue, setStatus } from "../status.js";
import { updateCommand } from "./diagnose.js";

function datasets(payload) {
  const sets = [
    { label: t("phase.text"), data: payload.points.filter((p) => p.corpus === "text"), backgroundColor: PALETTE[0] },
    { label: t("phase.random"), data: payload.points.filter((p) => p.corpus === "random"), backgroundColor: "rgba(211,84,44,0.45)" },
    { label: t("phase.pade", { T: payload.T }), data: payload.curve, type: "line", borderColor: "#444", pointRadius: 0 },
    { label: t("phase.hagedorn"), data: [{ x: 3, y: 1 }, { x: 7.2, y: 1 }], type: "line", borderColor: "#e25555", borderDash: [6, 4], pointRadius: 0 },
  ];
  if (payload.user) sets.push({ label: `${t("phase.user")}${colon()}${payload.user.model}`, data: [payload.user], backgroundColor: "#2b9348", pointRadius: 8 });
  return sets;
}

// A click on a measured model loads it into the Profile and Diagnose forms.
function loadClickedModel(_event, elements, chart) {
  const hit = elements[0];
  const point = hit && chart.data.datasets[hit.datasetIndex].data[hit.index];
  if (!point || !point.model || !point.corpus) return;
  $("#profile-model").value = point.model;
  $("#diagnose-model").value = point.model;
  updateCommand();
  setStatus(t("phase.loaded", { model: point.model }));
}

function drawPhase(payload) {
  drawChart("phase-chart", { type: "scatter", data: { datasets: datasets(payload) },
    options: { scales: { x: { min: 3, max: 7.2, title: { display: true, text: t("chart.log_theta") } }, y: { min: -0.2, max: 1.6, title: { display: true, text: "γ" } } },
      plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.raw.model || ctx.dataset.label}: γ = ${fixed(Number(ctx.raw.y), 3)}` } } },
      onClick: loadClickedModel } });
}

function validationTable(validation) {
  const rows = (validation.rows || []).map((law) => el("tr", { dataset: { law: law.law } },
    el("th", { scope: "row", text: law.title_text || law.title }),
    el("td", { text: tCode("support", law.support) }), el("td", { class: "num", dataset: { value: String(law.n) }, text: fmt(law.n) }),
    el("td", { class: "num", text: fmt(law.mae ?? null) }), el("td", { class: "num", text: fmt(law.r ?? null) }),
    el("td", { class: "num", text: law.hits !== undefined && law.hits !== null ? `${law.hits}/${law.n}` : "—" })));
  return table([t("phase.law"), t("phase.support"), t("phase.n"), t("phase.mae"), t("phase.r"), t("phase.hits")], rows, { id: "validation-table" });
}

function dashboardTable(validation) {
  const claims = (validation.dashboard.claims || []).map((c) => el("tr", { dataset: { claim: c.id, status: c.status } },
    el("th", { scope: "row", text: c.id }), el("td", { class: c.claim_text === c.claim ? "generated" : null, text: c.claim_text || c.claim }), el("td", { text: c.reference_status ? tCode("claim", c.reference_status) : "" }),
    el("td", { text: tCode("claim", c.status) }), el("td", { class: "num", text: fmt(c.n ?? null) }), el("td", { class: "generated", text: c.evidence || "" })));
  return table([t("phase.id"), t("phase.claim"), t("phase.reference_status"), t("phase.our_status"), t("phase.n"), t("phase.evidence")], claims,
    { id: "dashboard-table" });
}

export async function run(request, push = true) {
  const target = $("#phase-out");
  const model = request.model ? await resolveModel(request.model) : {};
  const payload = await call("phase_diagram", { ...model, t_eval: request.t_eval });
  clear(target);
  target.append(el("h3", { text: t("phase.chart") }), chartBox("phase-chart", t("chart.phase_alt")));
  drawPhase(payload);
  const validation = await call("validation_summary", { lang: currentLang() });
  target.append(el("h3", { text: t("phase.validation") }), validationTable(validation));
  target.append(el("h3", { text: t("phase.dashboard") }), dashboardTable(validation));
  remember("phase", { type: "phase", inputs: request, payload, markdown: null });
  if (push) writeUrl("phase", request);
}

export function ready() { return true; }

export function fill(v) {
  setValue("#phase-model", v.model); setValue("#phase-t-eval", v.t_eval);
}

export function wire() {
  $("#phase-form").addEventListener("submit", (e) => { e.preventDefault(); const v = formValues(e.target); queue(() => run(v)); });
}
