// The page's own number formatting, kept to the numbers it must write itself. Numbers the core computed (step
// results, key numbers) arrive with the text the core's formatter wrote for them (the bridge's `*_display` fields,
// tafagent.core.render.format.fmt with the language's marks) and are shown as they come, through `shown`.
//
// `fmt` below mirrors that same core `fmt` (integers grouped, 4 significant digits, 3-digit exponents outside
// [1e-3, 1e15), bytes as B, GB and GiB) and has to stay client-side for: the what-if slider's T_eval while it is
// dragged (no round trip per step), values the page echoes back as typed or as the config holds them (recipe
// parameters, spec fields, validation counts) and the words n/a, yes and no, which the page's UI strings translate.
// One difference it cannot avoid: JSON keeps no int/float distinction, so a whole float ≥ 1e15 is grouped here.
import { currentLang, t } from "./i18n.js";

// The language's grouping and decimal marks, from the bridge's boot answer (tafagent.core.render.format's
// NUMBER_GROUP and NUMBER_DECIMAL): "32 000" and "0,937" in Spanish and French, "32,000" and "0.937" in English.
const marks = { group: {}, decimal: {} };

export function setNumberMarks(group, decimal) {
  marks.group = { ...group };
  marks.decimal = { ...decimal };
}

// A number written the JavaScript/Python way ("8,192.5") with the language's marks (core: localise_number).
export function localiseNumber(text) {
  const group = marks.group[currentLang()] ?? ",";
  const decimal = marks.decimal[currentLang()] ?? ".";
  return text.replace(/[,.]/g, (mark) => (mark === "," ? group : decimal));
}

export function fixed(value, digits) { return localiseNumber(value.toFixed(digits)); }

function numberText(value) {
  if (Number.isInteger(value)) return localiseNumber(value.toLocaleString("en-US"));
  if (value !== 0 && (Math.abs(value) >= 1e15 || Math.abs(value) < 1e-3)) return localiseNumber(value.toExponential(3));
  if (Math.abs(value) >= 1000) return localiseNumber(Math.round(value).toLocaleString("en-US"));
  return localiseNumber(String(Number(value.toPrecision(4))));
}

export function fmt(value, unit = "") {
  if (value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))) return t("na");
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  if (typeof value !== "number") return String(value);
  const text = numberText(value);
  if (unit === "bytes") return `${text} B (${fixed(value / 1e9, 3)} GB, ${fixed(value / 2 ** 30, 3)} GiB)`;
  return unit && unit !== "dimensionless" ? `${text} ${unit}` : text;
}

// The core's text for a value where the bridge sent one; the bridge sends none for no value and for yes/no,
// which are words of the page's language.
export function shown(display, value, unit = "") {
  return typeof display === "string" ? display : fmt(value, unit);
}
