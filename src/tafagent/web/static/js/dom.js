// Building the page's DOM: every element is made with createElement and filled with textContent, never from an
// HTML string, so nothing a user types, a link carries or a config holds can become markup.

export function $(selector) { return document.querySelector(selector); }

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

// A table with one header row. Each cell carries its column's name (data-label), which narrow screens show above
// the value when the rows become label/value lists (style.css).
export function table(headers, rows, attrs = {}) {
  const head = el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h }))));
  for (const row of rows.flat()) {
    if (!row) continue;
    [...row.children].forEach((cell, i) => { if (headers[i] && !cell.dataset.label) cell.dataset.label = headers[i]; });
  }
  const body = el("tbody", {}, rows);
  return el("div", { class: "table-wrap" }, el("table", attrs, head, body));
}

// A user's or a config's text shown on the page: at most ``limit`` characters, the whole value in the tooltip.
export function short(text, limit = 80) {
  const value = String(text ?? "");
  return value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;
}

// A form field set from a link or an export (left as it is when the value is absent).
export function setValue(selector, value) { if (value !== undefined && value !== null) $(selector).value = value; }

// A form's fields as trimmed strings, by name.
export function formValues(form) {
  const values = {};
  for (const [key, value] of new FormData(form).entries()) values[key] = typeof value === "string" ? value.trim() : value;
  return values;
}
