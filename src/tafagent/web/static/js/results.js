// A recipe result on the page: its verdict tile and its audited chain (one row per step, with the formula, the
// result as the core wrote it, the evidence label and what the reference panel says).
import { el, table } from "./dom.js";
import { shown } from "./format.js";
import { colon, t, tCode } from "./i18n.js";

// A verdict's tone as an icon beside the word, so it reads without colour too.
export const TONE_ICONS = { good: "✅", caution: "⚠️", bad: "❌", info: "ℹ️" };

export function verdictTile(rid, result, localized) {
  return el("article", { class: `tile ${result.tone}`, dataset: { recipe: rid, verdict: result.verdict } },
    el("h3", { text: `${rid} — ${localized.recipe_name || result.recipe_name}` }),
    el("p", { class: "verdict" }, el("span", { "aria-hidden": "true", text: `${TONE_ICONS[result.tone] || TONE_ICONS.info} ` }),
      localized.verdict),
    el("p", { class: "muted", text: t("card.confidence", { band: tCode("band", result.confidence.band) }) }),
    el("p", { class: "reason", text: localized.reason }),
    localized.no_action ? null : el("p", {}, el("strong", { text: `${t("card.action")}${colon()}` }), localized.mitigation));
}

// ``display``: the bridge's text for each step of ``result.chain`` (its `step_display`), in order; none for the
// steps whose result is no value or a yes/no, which `shown` writes in the page's language. ``texts``: the core's
// texts of the result in the page's language (tafagent.core.render.card_text.result_texts): each step's name,
// evidence, panel line and meaning, as `taf recipe --lang` writes them.
export function chainTable(result, display, texts) {
  const rows = result.chain.map((step, i) => {
    const words = texts.steps[i];
    return el("tr", { dataset: step.law ? { step: step.name, law: step.law } : { step: step.name } },
      el("td", { text: step.step }),
      el("td", { text: step.section }),
      el("td", { text: words.name }),
      el("td", {}, el("code", { text: step.formula })),
      el("td", { class: "num", dataset: { value: JSON.stringify(step.result) }, text: shown(display[i], step.result, step.unit) }),
      el("td", { text: words.evidence }),
      el("td", { text: words.panel }),
      el("td", { text: words.meaning }));
  });
  return table([t("chain.step"), t("chain.section"), t("chain.name"), t("chain.formula"), t("chain.result"),
    t("chain.evidence"), t("chain.panel"), t("chain.meaning")], rows);
}

// The step of a chain that states ``law`` (an id of tafagent.core.laws.registry), with its display text.
export function stepByLaw(result, display, law) {
  const i = result.chain.findIndex((step) => step.law === law);
  return i < 0 ? null : { step: result.chain[i], display: display[i] };
}

// A recipe's verdict, reason and audited chain, folded; its caveats as the core's sentences (never raw codes).
export function resultBlock(result, localized, display, model, texts) {
  const title = `${result.recipe_id} — ${localized.recipe_name || result.recipe_name}${model ? ` · ${model}` : ""}${colon()}${localized.verdict}`;
  const caveats = texts.caveats;
  return el("details", { dataset: { recipe: result.recipe_id } },
    el("summary", { text: title }),
    el("p", { text: localized.reason }),
    chainTable(result, display, texts),
    el("h4", { text: t("chain.caveats") }),
    caveats.length ? el("ul", { class: "caveats" }, caveats.map((c) => el("li", { text: c }))) : el("p", { class: "muted", text: "—" }));
}
