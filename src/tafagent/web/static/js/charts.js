// Charts, drawn by Chart.js (vendor/chart.umd.js, loaded before the modules) from points the core computed.
import { el } from "./dom.js";
import { fixed, fmt } from "./format.js";
import { t } from "./i18n.js";

export const PALETTE = ["#2952c5", "#d3542c", "#2b9348", "#8e44ad", "#b8860b", "#16a2b8", "#555555"];
const charts = {};  // canvas id → its Chart, destroyed before the canvas is drawn again

export function chartBox(id, label) {
  return el("div", { class: "chart" }, el("canvas", { id, role: "img", "aria-label": label }));
}

// A log axis labels its powers of ten only ("1e-5", "100", "10,000" in the page's marks), never "0.000010".
export function logTick(value) {
  const power = Math.log10(value);
  if (Math.abs(power - Math.round(power)) > 1e-6) return "";
  return Math.abs(power) >= 4 ? `1e${Math.round(power)}` : fmt(value);
}

// Every axis gets a few readable ticks; log axes label their powers of ten; the legend sits below the plot,
// compact, so on a phone it never takes half the chart.
function withAxisDefaults(options) {
  const scales = {};
  for (const [name, scale] of Object.entries(options.scales || {})) {
    // every tick in the page's number marks (Chart.js would use the browser's locale: "10.000" beside "47 781")
    const callback = scale.type === "logarithmic" ? logTick : scale.type === "category" ? undefined : (v) => fmt(Number(v));
    const ticks = { maxTicksLimit: 8, autoSkipPadding: 8, ...(callback ? { callback } : {}), ...(scale.ticks || {}) };
    scales[name] = { ...scale, ticks };
  }
  const legend = { position: "bottom", labels: { boxWidth: 12, boxHeight: 12, font: { size: 11 } },
    ...((options.plugins || {}).legend || {}) };
  return { ...options, scales, plugins: { ...(options.plugins || {}), legend } };
}

export function drawChart(id, config) {
  if (charts[id]) charts[id].destroy();
  const canvas = document.getElementById(id);
  if (!canvas || typeof globalThis.Chart === "undefined") return;
  charts[id] = new globalThis.Chart(canvas,
    { ...config, options: { animation: false, maintainAspectRatio: false, ...withAxisDefaults(config.options || {}) } });
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
