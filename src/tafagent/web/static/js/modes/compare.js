// Compare: 2–3 models on one recipe (same core call as `taf compare`), as a table and a bar chart.
import { call } from "../core.js";
import { $, clear, el, formValues, setValue, table } from "../dom.js";
import { shown } from "../format.js";
import { currentLang, t } from "../i18n.js";
import { PALETTE, chartBox, drawChart } from "../charts.js";
import { resolveModel } from "../hub.js";
import { resultBlock } from "../results.js";
import { remember } from "../session.js";
import { writeUrl } from "../share.js";
import { run as queue } from "../status.js";
import { recipeName, recipeOptions } from "./recipe.js";

// One row per model: its verdict, reason and key numbers (raw in data-value, the core's text shown).
function comparisonTable(payload) {
  const rows = payload.comparison.rows.map((row, i) => el("tr", { class: row.tone, dataset: { model: row.model, verdict: row.verdict } },
    el("th", { scope: "row", text: row.model }),
    el("td", { text: payload.localized[i].verdict }),
    el("td", { text: payload.localized[i].reason }),
    payload.columns.map((col) => el("td", { class: "num", dataset: { key: col, value: JSON.stringify(row.key_numbers[col] ?? null) },
      text: row.key_numbers[col] === undefined ? "—" : shown(payload.key_display[i][col], row.key_numbers[col]) }))));
  // each key-number column with its unit and evidence label (from the core)
  return table([t("compare.model"), t("compare.verdict"), t("compare.reason"), ...payload.column_headers],
    rows, { id: "compare-table" });
}

function metricChart(target, payload) {
  const rows = payload.comparison.rows;
  const select = el("select", { id: "compare-metric" }, payload.columns.map((col) => el("option", { value: col, text: col })));
  target.append(el("label", { for: "compare-metric", text: t("compare.chart") }), select, chartBox("compare-chart", t("chart.compare_alt")));
  const draw = () => drawChart("compare-chart", {
    type: "bar",
    data: { labels: rows.map((r) => r.model), datasets: [{ label: select.value,
      data: rows.map((r) => r.key_numbers[select.value] ?? null), backgroundColor: PALETTE.slice(0, rows.length) }] },
    // the value axis titled with the chosen key number, its ticks in the page's number marks (charts.js)
    options: { plugins: { legend: { display: false } },
      scales: { x: { type: "category" }, y: { type: "linear", title: { display: true, text: select.value } } } },
  });
  select.addEventListener("change", draw);
  draw();
}

export async function run(request, push = true) {
  const target = $("#compare-out");
  const names = [request.m1, request.m2, request.m3].filter((x) => x);
  const models = [];
  for (const name of names) models.push(await resolveModel(name));
  const payload = await call("compare_models", { models, recipe: request.recipe, t_eval: request.t_eval, lang: currentLang() });
  const c = payload.comparison;
  clear(target);
  target.append(el("h2", { text: `${c.recipe_id} — ${recipeName(c.recipe_id, c.recipe_name)}` }));
  target.append(comparisonTable(payload));
  if (payload.columns.length) metricChart(target, payload);
  for (const [i, row] of c.rows.entries()) target.append(resultBlock(row.result, payload.localized[i], payload.step_display[i], row.model, payload.texts[i]));
  remember("compare", { type: "compare", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("compare", request);
}

export function ready(v) { return Boolean(v.m1 && v.m2); }

export function fill(v) {
  setValue("#compare-model-1", v.m1); setValue("#compare-model-2", v.m2); setValue("#compare-model-3", v.m3);
  setValue("#compare-recipe", v.recipe); setValue("#compare-t-eval", v.t_eval);
}

// After boot: the recipe menu, from the registry.
export function init() { $("#compare-recipe").append(...recipeOptions()); }

export function wire() {
  $("#compare-form").addEventListener("submit", (e) => { e.preventDefault(); const f = formValues(e.target);
    queue(() => run({ m1: f.model1, m2: f.model2, m3: f.model3, recipe: f.recipe, t_eval: f.t_eval })); });
}
