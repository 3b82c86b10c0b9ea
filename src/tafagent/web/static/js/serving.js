// What the serving modes (Fit & plan, Extend) share: their forms, built from a field list, and the core's views
// (tafagent.core.memory.report_view, plan_text, extend.text) drawn as the CLI draws them: every sentence and
// number arrives written by the core in the page's language; this module only lays them out.
import { $, clear, el, table } from "./dom.js";
import { t } from "./i18n.js";
import { TONE_ICONS } from "./results.js";
import { run as queue, setStatus } from "./status.js";

// A form from field descriptions {name, label, kind: text|number|select|check, options, help, list, value}.
export function buildForm(form, fields, submitLabel) {
  clear(form);
  for (const f of fields) {
    const id = `${form.id}-${f.name}`;
    if (f.kind === "check") {
      form.append(el("label", { class: "check" }, el("input", { type: "checkbox", id, name: f.name }), el("span", { text: t(f.label) })));
      continue;
    }
    const control = f.kind === "select"
      ? el("select", { id, name: f.name }, f.options().map(([value, label]) => el("option", { value, text: label })))
      : el("input", { id, name: f.name, list: f.list, inputmode: f.kind === "number" ? "decimal" : null,
        placeholder: f.placeholder ? t(f.placeholder) : null, required: f.required || null, value: f.value ?? null });
    form.append(el("label", { for: id, text: t(f.label) }), control);
    if (f.help) {
      control.setAttribute("aria-describedby", `${id}-help`);
      form.append(el("p", { class: "param-help", id: `${id}-help`, text: t(f.help) }));
    }
  }
  form.append(el("button", { type: "submit", text: t(submitLabel) }));
}

// The form's values by name (checkboxes as "1" or ""), trimmed.
export function formState(form) {
  const values = {};
  for (const node of form.elements) {
    if (!node.name) continue;
    values[node.name] = node.type === "checkbox" ? (node.checked ? "1" : "") : String(node.value).trim();
  }
  return values;
}

export function fillForm(form, values) {
  for (const node of form.elements) {
    if (!node.name || values[node.name] === undefined || values[node.name] === null) continue;
    if (node.type === "checkbox") node.checked = values[node.name] === "1";
    else node.value = values[node.name];
  }
}

// The part of a serving mode the page builds itself (Fit & plan, Extend): its description, a form generated from
// ``fields()`` (rebuilt after the boot and after a language switch, keeping what was typed), a "Try an example"
// button cycling through ``examples``, and the result area. ``run(request)`` computes and renders; the request
// holds the filled fields named in ``names``. Returns the mode's fill, init, relabel and wire.
export function servingForm(mode, { fields, submit, names, examples, run }) {
  const form = () => $(`#${mode}-form`);
  const rebuild = (values = formState(form())) => { buildForm(form(), fields(), submit); fillForm(form(), values); };
  const counter = { next: 0 };
  const wire = () => {
    $(`#mode-${mode}`).append(el("p", { class: "desc", "data-i18n": `mode.${mode}.desc`, text: t(`mode.${mode}.desc`) }),
      el("form", { id: `${mode}-form`, class: "form", autocomplete: "off" }),
      el("div", { class: "buttons" }, el("button", { type: "button", id: `${mode}-example`, class: "secondary",
        "data-i18n": "button.example", text: t("button.example") })),
      el("div", { id: `${mode}-out`, class: "out" }));
    rebuild({});
    $(`#${mode}-example`).addEventListener("click", () => {
      const example = examples[counter.next++ % examples.length];
      rebuild(example);  // a fresh form: no field of an earlier question is left in it
      queue(() => run(example));
    });
    form().addEventListener("submit", (e) => {
      e.preventDefault();
      const values = formState(form());
      const request = {};
      for (const name of names) if (values[name]) request[name] = values[name];
      queue(() => run(request));
    });
  };
  return { fill: (values) => fillForm(form(), values), init: () => rebuild(), relabel: () => rebuild(), wire };
}

// A view table {title?, columns, rows: [[text, ...]]}; ``numeric``: the column indexes holding numbers; ``cited``:
// those holding citations (a paper's or a dataset's own words, kept as written in every language).
export function viewTable(view, attrs = {}, numeric = [], cited = []) {
  const cellClass = (i) => [numeric.includes(i) ? "num" : "", cited.includes(i) ? "cite" : ""].join(" ").trim() || null;
  const rows = view.rows.map((row) => el("tr", {}, row.map((cell, i) =>
    el(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, class: cellClass(i), text: cell }))));
  const nodes = [];
  if (view.title) nodes.push(el("h4", { text: view.title }));
  nodes.push(table(view.columns, rows, attrs));
  return nodes;
}

// A verdict badge that reads without colour: an icon and a word.
export function badge(tone, text) {
  const icon = TONE_ICONS[tone] || TONE_ICONS.info;
  return el("span", { class: `badge ${tone}` }, el("span", { "aria-hidden": "true", text: icon }), ` ${text}`);
}

// A shell command with its # notes and a copy button.
export function commandBlock(command, id) {
  const text = [...command.notes.map((n) => `# ${n}`), command.text].filter(Boolean).join("\n");
  const copy = el("button", { type: "button", class: "secondary copy", text: t("button.copy") });
  copy.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(command.text || text); setStatus(t("status.command_copied")); }
    catch (_) { setStatus(t("status.copy_failed", { url: command.text || text })); }
  });
  return el("div", { class: "command-box" }, el("pre", { class: "command", id, text }), copy);
}

export function lines(texts, attrs = {}) {
  return texts.filter(Boolean).map((text) => el("p", { ...attrs, text }));
}

export { $ };
