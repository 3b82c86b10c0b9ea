// The Python core, reached by messages: Pyodide runs tafagent.web.bridge in a Web Worker (worker.js), each call
// is {id, action, request} answered with the bridge's JSON. Also what the core told the page at boot (presets,
// recipes, catalogs, languages, number marks) and the site's settings (site.json: wheel, Hub endpoint).
import { t } from "./i18n.js";
import { busy, setStatus } from "./status.js";

export const MAX_FILE_BYTES = 2 * 1024 * 1024;  // the bridge's MAX_TEXT_BYTES: configs, exports, diagnosis files
// The bridge's MAX_JSON_DEPTH (tafagent.web.request_fields). Deeper JSON is refused here, before Pyodide parses
// it: a few thousand levels overflow the WebAssembly stack before Python's own recursion check can answer.
export const MAX_JSON_DEPTH = 64;
const JSON_TEXT_FIELDS = ["config_text", "text"];  // the request fields that carry a whole JSON document

// The deepest nesting of arrays and objects in a JSON text (brackets inside strings do not count); one pass, no
// recursion, so any input is measured.
export function jsonDepth(text) {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;  // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) deepest = Math.max(deepest, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

function checkDepth(request) {
  for (const key of JSON_TEXT_FIELDS) {
    const text = request[key];
    if (typeof text === "string" && jsonDepth(text) > MAX_JSON_DEPTH) throw new Error(t("error.too_deep", { max: MAX_JSON_DEPTH }));
  }
  for (const item of Array.isArray(request.models) ? request.models : []) if (item && typeof item === "object") checkDepth(item);
}

export const runtime = { site: null, boot: null, bootStart: 0 };
const rpc = { worker: null, pending: new Map(), nextId: 1 };

function failAll(message) {
  for (const pending of rpc.pending.values()) pending.reject(new Error(t("error.internal", { error: message })));
  rpc.pending.clear();
}

// Pyodide starts loading at once, in parallel with the language file and the forms.
export function startWorker() {
  const early = globalThis.tafagentWorker;  // started by boot.js in the page's head, when it ran
  runtime.bootStart = early ? early.startedAt : performance.now();
  rpc.worker = early ? early.worker : new Worker("worker.js");
  rpc.worker.onmessage = (event) => {
    const message = event.data;
    if (message.stage === "core") { setStatus(t("status.loading_core")); return; }
    const pending = rpc.pending.get(message.id);
    if (!pending) return;
    rpc.pending.delete(message.id);
    // the bridge answers errors as JSON; an `error` here is Pyodide itself failing
    if (message.error !== undefined) pending.reject(new Error(t("error.internal", { error: message.error })));
    else pending.resolve(message.text);
  };
  rpc.worker.onerror = (event) => failAll(event.message || "worker");
}

export async function call(action, request = {}) {
  if (!rpc.worker || (!runtime.boot && action !== "boot")) throw new Error(t("status.not_ready"));
  checkDepth(request);
  const text = await new Promise((resolve, reject) => {
    const id = rpc.nextId++;
    rpc.pending.set(id, { resolve, reject });
    rpc.worker.postMessage({ id, action, request: JSON.stringify(request) });
  });
  const response = JSON.parse(text);
  if (!response.ok) throw new Error(response.error);
  return response;
}

export async function bootRuntime() {
  busy(true);
  setStatus(t("status.loading_runtime"));
  runtime.site = await (await fetch("site.json")).json();
  runtime.boot = await call("boot");
  document.body.dataset.bootMs = String(Math.round(performance.now() - runtime.bootStart));
  busy(false);
  return runtime.boot;
}
