// Diagnose: measuring attention decay needs PyTorch, so the page writes the `taf diagnose` command for the options
// chosen (quoted by the core for a POSIX shell) and reads the file it writes back into a card.
import { call } from "../core.js";
import { $, clear, el, formValues, setValue, short } from "../dom.js";
import { fmt } from "../format.js";
import { currentLang, t } from "../i18n.js";
import { renderCard } from "../card.js";
import { PALETTE, chartBox, drawChart } from "../charts.js";
import { resolveModel } from "../hub.js";
import { session } from "../session.js";
import { readFile, writeUrl } from "../share.js";
import { run as queue, setStatus } from "../status.js";

const loaded = { text: null };  // the loaded diagnosis file, re-rendered after a language switch

export function hasDiagnosis() { return loaded.text !== null; }

export async function updateCommand(push = true) {
  const values = formValues($("#diagnose-form"));
  const fast = $("#diagnose-fast").checked;
  try {
    const response = await call("diagnose_command", { ...values, fast });
    $("#diagnose-command").textContent = response.command;
    if (push && session.mode === "diagnose") writeUrl("diagnose", { ...values, fast: fast ? "1" : "" });
  } catch (error) {
    $("#diagnose-command").textContent = `# ${error.message}`;
  }
}

// The measured A(d) with the core's power-law fit A(d) = exp(log_A)·d^−γ.
function decayChart(target, diag, fitPoints, gamma) {
  const points = Object.entries(diag.attn_by_distance || {}).map(([d, a]) => ({ x: Number(d), y: a })).filter((p) => p.y > 0);
  if (!points.length) return;
  target.append(el("h3", { text: t("diagnose.curve") }), chartBox("diagnosis-chart", t("chart.diagnosis_alt")));
  drawChart("diagnosis-chart", { type: "scatter", data: { datasets: [
    { label: t("chart.measured"), data: points, backgroundColor: PALETTE[0] },
    { label: t("chart.fit", { gamma: fmt(gamma) }), data: fitPoints, type: "line", borderColor: PALETTE[1], pointRadius: 0 }] },
    options: { scales: { x: { type: "logarithmic", title: { display: true, text: t("chart.distance") } },
      y: { type: "logarithmic", title: { display: true, text: t("chart.share") } } } } });
}

// The card of the diagnosed model with its measured γ, exactly as `taf profile --diagnosis` builds it; false (and
// the reason in its place) when there is none, e.g. a local model that is neither a preset nor on the Hub.
async function measuredCard(cardBox, inputs) {
  try {
    const model = await resolveModel(inputs.model || "");
    const payload = await call("profile_card", { ...model, gamma_obs: inputs.gamma_obs, gamma_random: inputs.gamma_random,
      gamma_text: inputs.gamma_text, lang: currentLang() });
    renderCard(cardBox, payload, { ...model, gamma_obs: inputs.gamma_obs }, "diagnosis-");
    return true;
  } catch (error) {
    cardBox.append(el("p", { class: "warning", id: "diagnosis-no-card", text: error.message }));
    return false;
  }
}

async function loadDiagnosis(text) {
  const target = $("#diagnose-out");
  const response = await call("load_diagnosis_file", { text });
  loaded.text = text;
  const diag = response.diagnosis;
  const inputs = response.card_inputs;
  clear(target);
  const gamma = diag.gamma ?? inputs.gamma_obs ?? inputs.gamma_random;
  const facts = { gamma: fmt(gamma), r2: fmt(diag.R2), model: short(diag.model) };
  const summary = el("p", { id: "diagnosis-summary", text: t("diagnose.loaded", facts) });
  target.append(summary);
  if (diag.distinguishable_from_uniform === false) {
    target.append(el("p", { class: "warning", id: "diagnosis-uniform", text: t("diagnose.uniform") }));
  }
  decayChart(target, diag, response.fit_points, gamma);
  const cardBox = el("div", {});
  target.append(cardBox);
  if (await measuredCard(cardBox, inputs)) return undefined;
  summary.textContent = t("diagnose.loaded_no_card", facts);
  return summary.textContent;  // the status line says it too, never "Ready" over a missing card
}

// Shown again (a link, a tab, a language switch): the command, and the loaded file re-rendered.
export async function replay() {
  await updateCommand(false);
  if (loaded.text !== null) await queue(() => loadDiagnosis(loaded.text));
}

export function ready() { return false; }

export function fill(v) {
  setValue("#diagnose-model", v.model); setValue("#diagnose-protocol", v.protocol); setValue("#diagnose-corpus", v.corpus);
  setValue("#diagnose-device", v.device);
  $("#diagnose-fast").checked = v.fast === "1";
}

export function init() { updateCommand(false); }

export function wire() {
  for (const node of document.querySelectorAll("#diagnose-form select, #diagnose-form input")) {
    node.addEventListener("input", updateCommand);
    node.addEventListener("change", updateCommand);
  }
  $("#diagnose-copy").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText($("#diagnose-command").textContent); setStatus(t("status.command_copied")); }
    catch (_) { setStatus($("#diagnose-command").textContent); }
  });
  $("#diagnose-file").addEventListener("change", (e) => queue(async () => {
    const text = await readFile(e.target);
    return text === null ? undefined : loadDiagnosis(text);
  }));
}
