// Charts, drawn by Chart.js (vendor/chart.umd.js, loaded before the modules) from points the core computed.
import { el } from "./dom.js";
import { fixed } from "./format.js";
import { t } from "./i18n.js";

export const PALETTE = ["#2952c5", "#d3542c", "#2b9348", "#8e44ad", "#b8860b", "#16a2b8", "#555555"];
const charts = {};  // canvas id → its Chart, destroyed before the canvas is drawn again

export function chartBox(id, label) {
  return el("div", { class: "chart" }, el("canvas", { id, role: "img", "aria-label": label }));
}

export function drawChart(id, config) {
  if (charts[id]) charts[id].destroy();
  const canvas = document.getElementById(id);
  if (!canvas || typeof globalThis.Chart === "undefined") return;
  charts[id] = new globalThis.Chart(canvas,
    { ...config, options: { animation: false, maintainAspectRatio: false, ...config.options } });
}

function decayLabel(series) {
  if (series.kind === "predicted") return t("decay.predicted");
  if (series.kind === "measured") return t("decay.measured");
  return t("decay.panel", { model: series.model || series.label });
}

// A(d) ∝ d^−γ on log–log axes: the predicted, measured and panel curves of a card (tafagent.core.render.charts).
export function drawDecay(id, decay) {
  drawChart(id, {
    type: "line",
    data: { datasets: decay.series.map((s, i) => ({
      label: `${decayLabel(s)} (γ = ${fixed(s.gamma, 3)})`, data: s.points, borderColor: PALETTE[i % PALETTE.length],
      borderDash: s.kind === "panel" ? [5, 4] : [], pointRadius: 0, borderWidth: 2, parsing: false })) },
    options: { scales: { x: { type: "logarithmic", title: { display: true, text: t("chart.distance") } },
      y: { type: "logarithmic", title: { display: true, text: t("chart.share") } } } },
  });
}
