// The Python core, reached by messages: Pyodide runs tafagent.web.bridge in a Web Worker (worker.js), each call
// is {id, action, request} answered with the bridge's JSON. Also what the core told the page at boot (presets,
// recipes, catalogs, languages, number marks) and the site's settings (site.json: wheel, Hub endpoint).
import { t } from "./i18n.js";
import { busy, setStatus } from "./status.js";

export const MAX_FILE_BYTES = 2 * 1024 * 1024;  // the bridge's MAX_TEXT_BYTES: configs, exports, diagnosis files

export const runtime = { site: null, boot: null, bootStart: 0 };
const rpc = { worker: null, pending: new Map(), nextId: 1 };

function failAll(message) {
  for (const pending of rpc.pending.values()) pending.reject(new Error(t("error.internal", { error: message })));
  rpc.pending.clear();
}

// Pyodide starts loading at once, in parallel with the language file and the forms.
export function startWorker() {
  runtime.bootStart = performance.now();
  rpc.worker = new Worker("worker.js");
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
