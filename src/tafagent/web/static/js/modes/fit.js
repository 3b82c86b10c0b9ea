// Fit & plan: exact serving memory (`taf memory`) for a model, context and batch, whether it fits a GPU (the
// rescue ladder when it does not), and, given a target, the serving planner's best plan (`taf plan`) with its
// $/Mtok, runners-up and launch commands. The numbers are the core's (data-value = `taf … --json`).
import { call, runtime } from "../core.js";
import { $, clear, el } from "../dom.js";
import { currentLang, t } from "../i18n.js";
import { resolveModel } from "../hub.js";
import { remember } from "../session.js";
import { badge, commandBlock, lines, servingForm, viewTable } from "../serving.js";
import { writeUrl } from "../share.js";

const KV_DTYPES = ["auto", "bf16", "fp16", "fp32", "fp8", "int8", "q8_0", "q4_0"];
// "Try an example": the field's most common questions, one click each.
const EXAMPLES = [
  { model: "llama-3.1-70b", context: "8k", tokens_per_day: "100M" },
  { model: "llama-3-8b", context: "32k", engine: "vllm", gpu: "RTX 4090" },
  { model: "mixtral-8x7b", context: "16k", engine: "llama.cpp", gpu: "RTX 4090", weights_dtype: "gguf-q4_k_m" },
];
const FIELDS = ["model", "context", "batch", "engine", "gpu", "tp", "weights_dtype", "kv_dtype", "tokens_per_day",
  "concurrency", "max_ms_per_token", "plan_this_gpu"];

function fields() {
  const boot = runtime.boot || { engines: ["vllm"], gpus: [] };
  return [
    { name: "model", label: "field.model", list: "preset-list", required: true, placeholder: "field.model.placeholder" },
    { name: "context", label: "fit.context", required: true, placeholder: "fit.context.placeholder", help: "fit.context.help" },
    { name: "batch", label: "fit.batch", kind: "number", placeholder: "fit.batch.placeholder" },
    { name: "engine", label: "fit.engine", kind: "select", options: () => boot.engines.map((e) => [e, e]) },
    { name: "gpu", label: "fit.gpu", kind: "select", options: () => [["", t("fit.gpu.none")], ...boot.gpus.map((g) => [g, g])] },
    { name: "tp", label: "fit.tp", kind: "number", placeholder: "fit.tp.placeholder" },
    { name: "weights_dtype", label: "fit.weights_dtype", placeholder: "fit.weights_dtype.placeholder" },
    { name: "kv_dtype", label: "fit.kv_dtype", kind: "select", options: () => KV_DTYPES.map((d) => [d, d]) },
    { name: "tokens_per_day", label: "fit.tokens_per_day", placeholder: "fit.tokens_per_day.placeholder", help: "fit.target.help" },
    { name: "concurrency", label: "fit.concurrency", kind: "number" },
    { name: "max_ms_per_token", label: "fit.max_ms_per_token", kind: "number" },
    { name: "plan_this_gpu", label: "fit.plan_this_gpu", kind: "check" },
  ];
}

// The one-glance summary: the fit verdict (icon + word) and the plan's headline.
function summary(payload) {
  const memory = payload.memory;
  const view = payload.memory_view;
  const items = [el("p", { id: "fit-total", dataset: { value: JSON.stringify(memory.total_bytes) } },
    el("strong", { text: `${view.model}` }), view.header)];
  if (view.fit) {
    items.unshift(el("p", { id: "fit-verdict", dataset: { fits: String(memory.fits) } },
      badge(memory.fits ? "good" : "bad", view.fit.verdict), ` ${view.fit.gpu}`));
  }
  const plan = payload.plan;
  if (plan) {
    const chosen = plan.best || plan.closest;
    items.push(el("p", { id: "plan-headline", class: "answer", dataset: chosen ? { gpu: chosen.gpu, tp: String(chosen.tp),
      value: JSON.stringify(chosen.usd_per_mtok) } : {} },
    badge(plan.met ? "good" : "caution", plan.met ? t("fit.plan_met") : t("fit.plan_not_met")), ` ${payload.plan_localized.headline}`));
  } else {
    items.push(el("p", { class: "muted", id: "plan-hint", text: t("fit.plan_hint") }));
  }
  return el("section", { class: "hero" }, el("h2", { text: t("fit.title", { model: view.model }) }), ...items);
}

function planSection(payload) {
  const view = payload.plan_view;
  const nodes = [el("h3", { text: t("fit.plan") })];
  view.launch.forEach((command, i) => nodes.push(commandBlock(command, `fit-launch-${i}`)));
  if (view.runners_up.rows.length) {
    nodes.push(...viewTable(view.runners_up, { id: "plan-runners-up" }, [1, 2, 3, 4, 5, 6]));
    if (view.more) nodes.push(el("p", { class: "muted", text: view.more }));
  }
  nodes.push(...lines(view.notes, { class: "muted" }));
  return el("section", { id: "fit-plan" }, nodes);
}

function memorySection(payload) {
  const view = payload.memory_view;
  const nodes = [el("h3", { text: t("fit.memory") })];
  nodes.push(...viewTable(view.components, { id: "fit-components" }, [1, 2]));
  nodes.push(...viewTable(view.kv_layers, { id: "fit-kv-layers" }, [1, 2, 3]));
  nodes.push(el("p", { text: view.position }));
  if (view.fit) {
    nodes.push(el("p", { id: "fit-line", text: view.fit.line }), el("ul", {}, view.fit.notes.map((n) => el("li", { text: n }))));
    nodes.push(...lines([view.fit.longest, view.fit.fewest]));
    nodes.push(...lines(view.speed || [], { class: "speed" }));
    if (view.no_speed) {
      nodes.push(el("p", { class: "warning", text: `${view.no_speed.label} ${view.no_speed.text}` }));
      if (view.rescue) {
        const rows = view.rescue.rows.map((r) => [r.change, r.total, r.fits_text, r.quality, r.speed]);
        nodes.push(...viewTable({ title: view.rescue.title, columns: view.rescue.columns, rows }, { id: "fit-rescue" }, [1]));
        nodes.push(el("ol", { class: "sources" }, view.rescue.sources.map((s) => el("li", { text: s }))));
      } else {
        nodes.push(el("p", { text: view.rescue_none }));
      }
    }
    if (view.capacity) nodes.push(el("p", { text: view.capacity }));
  }
  for (const warning of view.warnings) nodes.push(el("p", { class: "warning", text: `${view.warning_label} ${warning}` }));
  return el("section", { id: "fit-memory" }, nodes);
}

export async function run(request, push = true) {
  const model = await resolveModel(request.model);
  const payload = await call("fit_and_plan", { ...request, ...model, plan_this_gpu: request.plan_this_gpu === "1",
    lang: currentLang() });
  const target = clear($("#fit-out"));
  target.append(summary(payload));
  if (payload.plan) target.append(planSection(payload));
  target.append(memorySection(payload));
  remember("fit", { type: "fit", inputs: request, payload, markdown: null });
  if (push) writeUrl("fit", request);
}

export function ready(v) { return Boolean(v.model && v.context); }

// The form needs the engines and GPUs the core lists at boot: a placeholder form until then (init rebuilds it).
export const { fill, init, relabel, wire } = servingForm("fit",
  { fields, submit: "button.fit", names: FIELDS, examples: EXAMPLES, run });
