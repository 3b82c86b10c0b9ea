// The TAF Card, as Profile, Inspect config and Diagnose show it: the model's hero line, one verdict tile per
// card recipe, the key numbers with their evidence, the measured neighbours, the diagnostics, the what-if slider,
// the decay chart and every recipe's audited chain. Every number is the core's (tafagent.core.card.profile).
import { call } from "./core.js";
import { clear, el, short, table } from "./dom.js";
import { fixed, fmt, shown } from "./format.js";
import { colon, currentLang, t } from "./i18n.js";
import { chartBox, drawDecay } from "./charts.js";
import { TONE_ICONS, resultBlock, stepByLaw, verdictTile } from "./results.js";
import { session } from "./session.js";
import { writeUrl } from "./share.js";

const whatif = { timer: null };

// Facts a reader checks first, as chips: the evaluated length against the training context, and the architecture
// features that change the answers (sliding window, experts, no RoPE).
function facts(card) {
  const spec = card.model;
  const items = [];
  const T = card.inputs.T_eval;
  if (spec.T_train && T > spec.T_train) items.push(["caution", t("card.fact.beyond", { ratio: fixed(T / spec.T_train, 1) })]);
  else if (spec.T_train) items.push(["good", t("card.fact.within")]);
  if (spec.has_swa) items.push(["info", t("card.fact.swa")]);
  if (spec.moe) items.push(["info", t("card.fact.moe", { experts: spec.moe.n_experts, active: spec.moe.experts_per_token })]);
  if (!spec.rope_theta) items.push(["info", t("card.fact.no_rope")]);
  return el("ul", { class: "facts" }, items.map(([tone, text]) => el("li", { class: tone },
    el("span", { "aria-hidden": "true", text: `${TONE_ICONS[tone]} ` }), text)));
}

// The model's title, architecture class, head line and one-glance summary, as `taf profile --lang` writes them.
function hero(card, texts, prefix) {
  const spec = card.model;
  return el("section", { class: "hero", "aria-label": spec.model_id },
    el("h2", { id: `${prefix}card-title`, title: spec.model_id.length > 80 ? spec.model_id : null,
      text: t("card.title", { model: short(spec.model_id) }) }),
    el("p", {}, el("strong", { text: texts.architecture_class })),
    el("p", { text: texts.head }),
    el("p", { id: `${prefix}card-summary`, dataset: card.summary, text: `${t("card.summary")}${colon()}${texts.summary}` }),
    facts(card));
}

// A section the reader opens when they want it (measurements, diagnostics, falsifiers): folded under its title.
function folded(title, body) {
  return el("details", { class: "section" }, el("summary", { text: title }), body);
}

// The card's key numbers in the core's order, each with its label, evidence and panel line as `taf profile --lang`
// writes them (``key_texts``) and its value as the core formatted it (T_eval is in the hero line already).
function keyNumbersTable(payload, prefix) {
  const card = payload.card;
  const rows = Object.entries(payload.key_texts).filter(([key]) => key !== "T_eval").map(([key, words]) => {
    const value = card.key_numbers[key];
    return el("tr", { dataset: { key } },
      el("th", { scope: "row", text: words.label }),
      el("td", { class: "num", dataset: { value: JSON.stringify(value) }, text: shown(payload.key_display[key], value) }),
      el("td", { text: words.evidence }),
      el("td", { text: words.panel }));
  });
  return table([t("card.quantity"), t("card.value"), t("card.evidence"), t("card.panel")], rows, { id: `${prefix}key-numbers` });
}

// ``prefix`` keeps element ids unique when a card is shown in several modes (profile, inspect, diagnose);
// ``request`` is the card's request, re-sent by the what-if slider at other lengths.
export function renderCard(target, payload, request, prefix = "") {
  const card = payload.card;
  clear(target);
  const texts = payload.texts;
  target.append(hero(card, texts, prefix));
  for (const warning of card.model.warnings) target.append(el("p", { class: "warning", text: warning }));
  target.append(el("h3", { text: t("card.verdicts") }), el("div", { class: "tiles" },
    Object.entries(card.recipes).map(([rid, result]) => verdictTile(rid, result, payload.localized[rid]))));
  target.append(el("h3", { text: t("card.key_numbers") }), keyNumbersTable(payload, prefix));
  target.append(folded(t("card.measured"),
    el("ul", { id: `${prefix}measured` }, texts.measured.map((x) => el("li", { text: x })))));
  target.append(folded(t("card.diagnostics"),
    el("ul", { id: `${prefix}diagnostics` }, texts.diagnostics.map((x) => el("li", { text: x })))));
  target.append(folded(t("card.falsifiers"), el("ul", { id: `${prefix}falsifiers` }, texts.falsification.map((f) =>
    el("li", { text: t("card.falsifier_line", { id: f.id, claim: f.claim, status: f.status, note: f.note ? ` — ${f.note}` : "" }) })))));
  if (card.model.rope_theta) target.append(whatifBlock(card, request, prefix, payload.position_limit, target));
  target.append(el("h3", { text: t("card.decay") }), chartBox(`${prefix}decay-chart`, t("chart.decay_alt")));
  drawDecay(`${prefix}decay-chart`, payload.decay);
  target.append(el("h3", { text: t("card.chains") }));
  for (const [rid, result] of Object.entries(card.recipes)) {
    target.append(resultBlock(result, payload.localized[rid], payload.step_display[rid], "", payload.texts.recipes[rid]));
  }
}

// X-2 at the slider's length, in one line: the core's numbers for γ_Padé → γ-decomposition, d_horizon, L_NIAH.
function whatifLine(T, response) {
  const law = (id) => {
    const found = stepByLaw(response.result, response.step_display, id);
    return found ? shown(found.display, found.step.result) : t("na");
  };
  return `T = ${fmt(T)}${colon()}γ_Padé ${law("gamma_pade")} → ${law("gamma_decomposition")}, d_horizon ${law("d_horizon")}, `
    + `L_NIAH ${law("l_niah")} — ${response.localized.verdict}${colon()}${response.localized.reason}`;
}

// The what-if slider: X-2 at another length, computed by the core. It shows its value, replaces the card's X-2 tile
// and, on the Profile card, keeps the length in the share link; it reaches the model's position limit.
function whatifBlock(card, request, prefix, limit, cardBox) {
  const T = card.inputs.T_eval;
  const max = Math.max(4 * T, 4 * (card.model.T_train || 0), limit || 0);
  const step = Math.max(1, Math.round(max / 400));
  // The slider's values are min + k·step: choose min so that the card's own T_eval is one of them.
  const min = ((T - 1) % step) + 1;
  const slider = el("input", { type: "range", id: `${prefix}whatif`, min, max, step, value: T,
    "aria-describedby": `${prefix}whatif-help` });
  const value = el("output", { for: `${prefix}whatif`, id: `${prefix}whatif-value`, text: `T = ${fmt(T)}` });
  const output = el("p", { id: `${prefix}whatif-out`, "aria-live": "polite" });
  const update = (first) => {
    const length = Number(slider.value);
    value.textContent = `T = ${fmt(length)}`;
    clearTimeout(whatif.timer);
    whatif.timer = setTimeout(async () => {
      try {
        const response = await call("whatif", { ...request, t_eval: length, lang: currentLang() });
        output.textContent = whatifLine(length, response);
        output.dataset.verdict = response.result.verdict;
        const tile = cardBox.querySelector('.tiles article[data-recipe="X-2"]');
        if (tile) tile.replaceWith(verdictTile("X-2", response.result, response.localized));
        if (!prefix && !first && session.mode === "profile") {
          writeUrl("profile", { ...(session.params.profile || {}), t_eval: String(length) });
        }
      } catch (error) {
        output.textContent = error.message;
      }
    }, 60);
  };
  slider.addEventListener("input", () => update(false));
  update(true);
  return el("div", {},
    el("h3", {}, el("label", { for: `${prefix}whatif`, text: t("card.whatif") })),
    el("p", { id: `${prefix}whatif-help`, class: "muted", text: t("card.whatif.help") }),
    el("div", { class: "slider" }, slider, value), output);
}
