// Share links, export and import. The state lives in the URL fragment (#mode=…&…), which browsers never send to
// the web host: what you type stays on this page even when you share the link. An export carries the inputs
// (re-run on import; its computed numbers are never trusted) and the result as it was shown.
import { MAX_FILE_BYTES, call, runtime } from "./core.js";
import { $, el } from "./dom.js";
import { currentLang, t } from "./i18n.js";
import { session } from "./session.js";
import { run, setStatus } from "./status.js";

// A ?query is still read, for links written by hand; the fragment wins.
export function readUrl() {
  const params = new URLSearchParams(window.location.search);
  const hash = window.location.hash.replace(/^#/, "");
  if (hash) for (const [key, value] of new URLSearchParams(hash)) params.set(key, value);
  return params;
}

export function writeUrl(mode, params) {
  session.params[mode] = { ...params };
  const query = new URLSearchParams({ mode });
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
  }
  if (currentLang() !== "en") query.set("lang", currentLang());
  history.replaceState(null, "", `${window.location.pathname}#${query.toString()}`);
}

// UTF-8 text as URL-safe base64 (a pasted config in a share link).
export function encodeText(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeText(encoded) {
  const base64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

// The text of the file chosen in a file input (null when none), refused over the bridge's size limit.
export async function readFile(input) {
  const file = input.files && input.files[0];
  if (!file) return null;
  input.value = "";  // choosing the same file again must fire "change" again
  if (file.size > MAX_FILE_BYTES) throw new Error(t("error.too_large"));
  return file.text();
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  setStatus(t("status.exported", { file: name }));
}

function exportJson() {
  const last = session.results[session.mode];
  if (!last) { setStatus(t("status.nothing_to_export"), true); return; }
  const envelope = { _taf_export: true, type: last.type, version: runtime.boot.version,
    exported_at: new Date().toISOString(), inputs: last.inputs, result: last.payload };
  download(`taf-${last.type}.json`, JSON.stringify(envelope, null, 2), "application/json");
}

function exportMarkdown() {
  const last = session.results[session.mode];
  if (!last) { setStatus(t("status.nothing_to_export"), true); return; }
  if (!last.markdown) { setStatus(t("status.no_markdown"), true); return; }
  download(`taf-${last.type}.md`, last.markdown, "text/markdown");
}

// ``open(type, inputs)`` shows that mode, fills its form and runs it (main.js knows the modes).
async function importJson(text, open) {
  const checked = await call("check_import", { text });
  await open(checked.type, checked.inputs);
  return t("status.imported", { when: checked.exported_at || "?" });
}

async function share() {
  const url = window.location.href;
  try {
    await navigator.clipboard.writeText(url);
    setStatus(t("status.copied"));
  } catch (_) {
    setStatus(t("status.copy_failed", { url }));
  }
}

export function wireShare(open) {
  $("#share").addEventListener("click", share);
  $("#export-json").addEventListener("click", exportJson);
  $("#export-md").addEventListener("click", exportMarkdown);
  $("#import-file").addEventListener("change", (e) => run(async () => {
    try { const text = await readFile(e.target); return text === null ? undefined : await importJson(text, open); }
    catch (error) { throw new Error(t("error.import", { error: error.message })); }
  }, null));  // the imported mode renders its own result; a failed import shows its error in the mode on screen
}
