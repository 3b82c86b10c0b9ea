// Profile: the TAF Card of one model (same core call as `taf profile`).
import { call } from "../core.js";
import { $, formValues, setValue } from "../dom.js";
import { currentLang } from "../i18n.js";
import { renderCard } from "../card.js";
import { resolveModel } from "../hub.js";
import { remember } from "../session.js";
import { writeUrl } from "../share.js";
import { actionStartedAt, run as queue } from "../status.js";

export async function run(request, push = true) {
  const start = actionStartedAt();
  const model = await resolveModel(request.model);
  const full = { ...model, t_eval: request.t_eval, gamma_obs: request.gamma_obs, gamma_random: request.gamma_random,
    gamma_text: request.gamma_text, lang: currentLang() };
  const payload = await call("profile_card", full);
  renderCard($("#profile-out"), payload, full);
  document.body.dataset.cardMs = String(Math.round(performance.now() - start));
  document.body.dataset.cards = String(Number(document.body.dataset.cards || 0) + 1);
  remember("profile", { type: "profile", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("profile", request);
}

export function ready(v) { return Boolean(v.model); }

export function fill(v) {
  setValue("#profile-model", v.model); setValue("#profile-t-eval", v.t_eval); setValue("#profile-gamma-obs", v.gamma_obs);
  setValue("#profile-gamma-random", v.gamma_random);
}

export function wire() {
  $("#profile-form").addEventListener("submit", (e) => { e.preventDefault(); const v = formValues(e.target); queue(() => run(v)); });
}
