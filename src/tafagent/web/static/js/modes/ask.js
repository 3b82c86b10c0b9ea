// Ask: a plain-English question → the recipe it routes to, the parameters read from it, and the answer.
import { call } from "../core.js";
import { $, clear, el, setValue, table } from "../dom.js";
import { fmt } from "../format.js";
import { colon, currentLang, t } from "../i18n.js";
import { resultBlock, verdictTile } from "../results.js";
import { remember } from "../session.js";
import { writeUrl } from "../share.js";
import { run as queue } from "../status.js";

const EXAMPLES = [
  "Will Llama-3-8B handle 32K context with needle-in-a-haystack retrieval?",
  "What can $5,000 train on H100s?",
  "Which GPU serves Llama-3.1-70B at 100M tokens/day most cheaply?",
  "Soft KV decay or a hard cutoff for Qwen2.5-7B at 32K?",
  "Should I train a custom 7B model or pay for GPT-4o at 50 million tokens a month?",
  "¿Puede Mistral-7B manejar 16K de contexto?",
];
const examples = { next: 0 };

function unrouted(answer) {
  return [el("p", { class: "warning", text: `${t("ask.cannot_route")} ${answer.why || ""}` }),
    el("h3", { text: t("ask.suggestions") }),
    el("ul", {}, (answer.suggestions || []).map((s) => el("li", { text: typeof s === "string" ? s : `${s.recipe_id}${colon()}${s.reason || s.why || ""}` })))];
}

// The parameters as the question gave them (or as assumed), echoed with the page's formatter.
// The answer and its verdict first, then the parameters read from the question and the audit chain.
function routed(answer) {
  const nodes = [];
  if (answer.answer || answer.summary) {
    nodes.push(el("p", { class: "answer", id: "ask-answer", text: answer.answer || answer.summary }));
  }
  if (answer.result) {
    const tile = verdictTile(answer.result.recipe_id, answer.result, answer.localized);
    tile.id = "ask-verdict";
    nodes.push(el("div", { class: "tiles" }, tile));
  }
  nodes.push(el("h3", { text: `${t("ask.route")}${colon()}${answer.recipe_id}` }));
  const rows = Object.entries(answer.params || {}).map(([name, value]) => el("tr", { dataset: { param: name } },
    el("th", { scope: "row", text: name }), el("td", { class: "num", text: fmt(value) }),
    el("td", { text: (answer.param_sources || {})[name] || "" })));
  nodes.push(table([t("ask.parameter"), t("card.value"), t("ask.source")], rows, { id: "ask-params" }));
  if (answer.assumed && answer.assumed.length) {
    nodes.push(el("h3", { text: t("ask.assumed") }), el("ul", {}, answer.assumed.map((a) => el("li", { text: a }))));
  }
  if (answer.result) nodes.push(resultBlock(answer.result, answer.localized, answer.step_display, "", answer.texts));
  return nodes;
}

export async function run(request, push = true) {
  const payload = await call("ask_question", { question: request.q, lang: currentLang() });
  const answer = payload.answer;
  clear($("#ask-out")).append(...(answer.recipe_id ? routed(answer) : unrouted(answer)));
  remember("ask", { type: "ask", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("ask", request);
}

export function ready(v) { return Boolean(v.q); }

export function fill(v) { setValue("#ask-question", v.q); }

export function wire() {
  $("#ask-form").addEventListener("submit", (e) => { e.preventDefault(); queue(() => run({ q: $("#ask-question").value.trim() })); });
  $("#ask-example").addEventListener("click", () => {
    $("#ask-question").value = EXAMPLES[examples.next++ % EXAMPLES.length];
    $("#ask-question").focus();
  });
}
