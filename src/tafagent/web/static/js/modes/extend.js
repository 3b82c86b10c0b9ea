// Extend: stretch a RoPE model past its trained length (`taf extend`): the rope block for config.json, the vLLM
// and llama.cpp flags, the memory at the new length, X-2's verdict there, and what the literature measured.
import { call } from "../core.js";
import { $, clear, el } from "../dom.js";
import { currentLang, t } from "../i18n.js";
import { resolveModel } from "../hub.js";
import { remember } from "../session.js";
import { badge, commandBlock, lines, servingForm, viewTable } from "../serving.js";
import { writeUrl } from "../share.js";

const METHODS = ["yarn", "linear", "dynamic", "longrope", "llama3"];  // tafagent.core.extend.METHODS
const FIELDS = ["model", "target", "method"];
const EXAMPLES = [
  { model: "llama-3-8b", target: "32k", method: "yarn" },
  { model: "qwen2.5-7b", target: "128k", method: "yarn" },
  { model: "mistral-7b", target: "64k", method: "linear" },
];

function fields() {
  return [
    { name: "model", label: "field.model", list: "preset-list", required: true, placeholder: "field.model.placeholder" },
    { name: "target", label: "extend.target", required: true, placeholder: "extend.target.placeholder", help: "extend.target.help" },
    { name: "method", label: "extend.method", kind: "select", options: () => METHODS.map((m) => [m, m]) },
  ];
}

export async function run(request, push = true) {
  const model = await resolveModel(request.model);
  const payload = await call("extend_context", { ...request, ...model, lang: currentLang() });
  const view = payload.view;
  const x2 = payload.extension.x2;
  const target = clear($("#extend-out"));
  target.append(el("section", { class: "hero" },
    el("h2", { id: "extend-head", dataset: { value: JSON.stringify(payload.extension.factor) }, text: view.head }),
    el("p", { id: "extend-verdict", dataset: { verdict: x2.verdict } }, badge(payload.x2_tone, payload.localized.x2.verdict),
      ` ${view.x2_after}`),
    el("p", { class: "muted", text: view.x2_before })));
  target.append(el("h3", { text: t("extend.config") }), el("p", { text: view.config_label }),
    el("pre", { class: "command", id: "extend-config", text: view.config_json }), el("p", { class: "muted", text: view.legacy }));
  target.append(el("h3", { text: t("extend.flags") }),
    commandBlock({ text: view.vllm, notes: [] }, "extend-vllm"));
  if (view.llama_cpp) target.append(commandBlock({ text: view.llama_cpp, notes: [] }, "extend-llama-cpp"));
  else target.append(el("p", { class: "muted", text: `llama.cpp: ${view.llama_cpp_note || ""}` }));
  target.append(el("h3", { text: t("extend.memory") }),
    el("p", { id: "extend-memory", dataset: { value: JSON.stringify(payload.extension.memory.total_bytes) }, text: view.memory }));
  target.append(el("h3", { text: t("extend.literature") }), el("p", { text: view.literature }));
  if (view.literature_table) target.append(...viewTable(view.literature_table, { id: "extend-literature" }, [1, 4, 5], [6]));
  target.append(...lines(view.notes, { class: "muted" }));
  remember("extend", { type: "extend", inputs: request, payload, markdown: null });
  if (push) writeUrl("extend", request);
}

export function ready(v) { return Boolean(v.model && v.target); }

export const { fill, init, relabel, wire } = servingForm("extend",
  { fields, submit: "button.extend", names: FIELDS, examples: EXAMPLES, run });
