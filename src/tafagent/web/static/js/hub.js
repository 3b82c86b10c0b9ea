// MODEL as the page resolves it: a preset (the core says which names are presets), else a Hub id whose public
// config.json the page fetches itself (the browser, not Pyodide, talks to the Hub) and sends to the core as text.
import { MAX_FILE_BYTES, call, runtime } from "./core.js";
import { short } from "./dom.js";
import { t } from "./i18n.js";
import { setStatus } from "./status.js";

function configUrl(repo, revision) {
  const base = runtime.site.hub_endpoint.replace(/\/+$/, "");
  const path = repo.split("/").map(encodeURIComponent).join("/");
  return `${base}/${path}/resolve/${encodeURIComponent(revision || "main")}/config.json`;
}

// The Hub names the reason in X-Error-Code where CORS exposes it; anonymous 401s can mean any of three.
function checkHubResponse(response, model, hint) {
  const code = response.headers.get("X-Error-Code") || "";
  if (code === "GatedRepo" || response.status === 403) throw new Error(t("error.gated", { model }));
  if (code === "EntryNotFound") throw new Error(t("error.no_config", { model }));
  // Anonymous requests for private and for missing repos both get 401 RepoNotFound: say both.
  if (code === "RepoNotFound" && response.status === 401) throw new Error(t("error.unauthorized", { model }));
  if (code === "RepoNotFound" || code === "RevisionNotFound" || response.status === 404) {
    throw new Error(t("error.not_found", { model, suggestions: hint }));
  }
  if (response.status === 401) throw new Error(t("error.unauthorized", { model }));
  if (!response.ok) throw new Error(t("error.server", { status: response.status }));
}

// The request fields naming a model for the bridge: {model} for a preset, {model, config_text} for a Hub id.
export async function resolveModel(name) {
  const typed = (name || "").trim();
  const model = short(typed);  // as echoed in messages (the request carries the whole name)
  const info = await call("classify", { model: typed });
  if (info.preset) return { model: info.preset };
  const hint = info.suggestions.length ? t("error.did_you_mean", { names: info.suggestions.join(", ") }) : "";
  if (!info.hub_id) throw new Error(t("error.not_model", { model, suggestions: hint }));
  setStatus(t("status.fetching", { model }));
  const [repo, revision] = typed.split("@");
  let response;
  try {
    response = await fetch(configUrl(repo, revision), { credentials: "omit", referrerPolicy: "no-referrer" });
  } catch (_) {
    throw new Error(t("error.offline"));
  }
  checkHubResponse(response, model, hint);
  const text = await response.text();
  if (text.length > MAX_FILE_BYTES) throw new Error(t("error.too_large"));
  return { model: repo + (revision ? `@${revision}` : ""), config_text: text };
}
