// Pick recipe: a form generated from the recipe registry (typed parameters, their help, units and defaults),
// run by the core with the same checks as `taf recipe --set`. Also the recipe names every menu shows.
import { call, runtime } from "../core.js";
import { $, clear, el, formValues, setValue, short, table } from "../dom.js";
import { fmt } from "../format.js";
import { currentLang, t } from "../i18n.js";
import { resolveModel } from "../hub.js";
import { chainTable, verdictTile } from "../results.js";
import { remember } from "../session.js";
import { writeUrl } from "../share.js";
import { run as queue, setStatus } from "../status.js";

// Recipe names in the page's language (the core's message catalogs; English from the registry).
export function recipeName(rid, fallback = "") {
  const names = (runtime.boot && runtime.boot.recipe_names[currentLang()]) || {};
  return names[rid] || fallback || rid;
}

export function relabelRecipes() {
  if (!runtime.boot) return;
  if ($("#recipe-params").childElementCount) buildRecipeForm($("#recipe-id").value, typedValues());
  for (const option of document.querySelectorAll("option[data-recipe]")) {
    const recipe = runtime.boot.recipes.find((r) => r.id === option.dataset.recipe);
    option.textContent = `${option.dataset.recipe} — ${recipeName(option.dataset.recipe, recipe && recipe.name)}`;
  }
}

// One option per recipe, labelled by relabelRecipes.
export function recipeOptions() {
  return runtime.boot.recipes.map((r) => el("option", { value: r.id, dataset: { recipe: r.id } }));
}

function paramInput(p, id) {
  if (p.type === "bool") {
    return el("select", { id, name: p.name }, el("option", { value: "", text: "—" }), el("option", { value: "true", text: t("yes") }), el("option", { value: "false", text: t("no") }));
  }
  if (p.choices === "gpu" || p.choices === "api" || (p.options && p.options.length)) {
    const options = p.options && p.options.length ? p.options : (p.choices === "gpu" ? runtime.boot.gpus : runtime.boot.apis);
    return el("select", { id, name: p.name }, el("option", { value: "", text: "—" }), options.map((o) => el("option", { value: o, text: o })));
  }
  return el("input", { id, name: p.name, inputmode: p.type === "str" ? "text" : "decimal" });
}

// The recipe's texts in the page's language (the core's catalogs, from the boot answer), English as the fallback.
function recipeTexts(recipe) {
  const all = runtime.boot.recipe_texts || {};
  return (all[currentLang()] || {})[recipe.id] || (all.en || {})[recipe.id] || { description: recipe.description, help: {}, units: {} };
}

// Each field is labelled by what it means (the core's help, in the page's language), with the parameter's name —
// the one `taf recipe --set` and the share link use — beside it; the default and unit below.
export function buildRecipeForm(recipeId, values = {}) {
  const recipe = runtime.boot.recipes.find((r) => r.id === recipeId) || runtime.boot.recipes[0];
  const texts = recipeTexts(recipe);
  $("#recipe-id").value = recipe.id;
  $("#recipe-description").textContent = texts.description;
  const box = clear($("#recipe-params"));
  for (const p of recipe.params) {
    const id = `param-${p.name}`;
    const input = paramInput(p, id);
    if (values[p.name] !== undefined) input.value = values[p.name];
    const meaning = texts.help[p.name] || p.help;
    const help = [];
    if (p.default !== null && p.default !== undefined) {
      help.push(t("recipe.default", { value: typeof p.default === "number" ? fmt(p.default) : String(p.default) }));
    }
    if (p.unit) help.push(texts.units[p.name] || p.unit);
    const label = el("label", { for: id }, meaning, " ", el("code", { class: "param-name", text: p.name }));
    box.append(label, input, el("p", { class: "param-help", id: `${id}-help`, text: help.join(" · ") || "—" }));
    input.setAttribute("aria-describedby", `${id}-help`);
  }
}

export async function run(request, push = true) {
  const target = $("#recipe-out");
  const recipe = runtime.boot.recipes.find((r) => r.id === request.recipe);
  if (!recipe) throw new Error(t("error.unknown_recipe", { id: String(request.recipe).slice(0, 40) }));
  const params = {};
  for (const p of recipe.params) if (request[`p.${p.name}`]) params[p.name] = request[`p.${p.name}`];
  const model = request.model ? await resolveModel(request.model) : {};
  const payload = await call("run_one_recipe", { ...model, recipe: recipe.id, params, lang: currentLang() });
  clear(target);
  const r = payload.result;
  target.append(el("div", { class: "tiles" }, verdictTile(r.recipe_id, r, payload.localized)));
  target.append(chainTable(r, payload.step_display, payload.texts));
  const inputs = Object.entries(r.inputs).map(([name, value]) => el("tr", {}, el("th", { scope: "row", text: name }),
    el("td", { class: "num", text: fmt(value) }), el("td", { text: r.input_sources[name] || "" })));
  target.append(el("h3", { text: t("chain.inputs") }), table([t("ask.parameter"), t("card.value"), t("ask.source")], inputs));
  remember("recipe", { type: "recipe", inputs: request, payload, markdown: payload.markdown });
  if (push) writeUrl("recipe", request);
}

export function ready(v) { return Boolean(v.recipe); }

export function fill(v) {
  const values = {};
  for (const [k, val] of Object.entries(v)) if (k.startsWith("p.")) values[k.slice(2)] = val;
  buildRecipeForm(v.recipe || "X-2", values);
  setValue("#recipe-model", v.model);
}

// After boot: the recipe menu and the form of X-2.
export function init() {
  $("#recipe-id").append(...recipeOptions());
  buildRecipeForm("X-2");
}

// What was typed in the recipes' fields, by parameter name, over every recipe shown so far: switching recipes
// (and back) keeps each value, and a recipe that shares a parameter starts with it.
const typed = {};

function typedValues() {
  for (const node of $("#recipe-params").querySelectorAll("input, select")) {
    if (node.value !== "") typed[node.name] = node.value;
    else delete typed[node.name];
  }
  return { ...typed };
}

// "Fill from a model": the values the recipe takes from the model (the core's model_inputs) go into the fields
// still empty (what the user typed stays); the status line names the model they came from.
async function fillFromModel() {
  const name = $("#recipe-model").value.trim();
  if (!name) return;
  try {
    const model = await resolveModel(name);
    const answer = await call("recipe_model_values", { ...model, recipe: $("#recipe-id").value });
    let filled = 0;
    for (const [param, value] of Object.entries(answer.values)) {
      const input = document.getElementById(`param-${param}`);
      if (input && input.value === "") { input.value = String(value); filled += 1; }
    }
    setStatus(t("recipe.filled", { n: filled, model: short(answer.model) }));
  } catch (error) {
    setStatus(error.message, true);
  }
}

export function wire() {
  $("#recipe-id").addEventListener("change", () => buildRecipeForm($("#recipe-id").value, typedValues()));
  $("#recipe-model").addEventListener("change", fillFromModel);
  $("#recipe-fill").addEventListener("click", fillFromModel);
  $("#recipe-form").addEventListener("submit", (e) => { e.preventDefault(); const f = formValues(e.target);
    const v = { recipe: f.recipe, model: f.model };
    for (const [k, val] of Object.entries(f)) if (!["recipe", "model"].includes(k) && val !== "") v[`p.${k}`] = val;
    queue(() => run(v)); });
}
