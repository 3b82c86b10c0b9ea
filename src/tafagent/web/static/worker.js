// tafagent browser app: Pyodide and the Python core run here, off the page's main thread, so the page stays
// responsive while the core computes. The page sends {id, action, request} (request: a JSON string) and gets
// {id, text} back (the bridge's JSON answer), or {id, error} when Pyodide itself fails.
"use strict";

// Our wheel is fetched while Pyodide loads (both start at once), not after it.
const wheelDownload = fetch("site.json").then((r) => r.json()).then((site) => fetch(`wheels/${site.wheel}`))
  .then((r) => r.arrayBuffer());
wheelDownload.catch(() => {});  // awaited below; an error there is reported as the boot's

importScripts("vendor/pyodide/pyodide.js");

let bridge = null;
const ready = (async () => {
  const py = await loadPyodide({ indexURL: "vendor/pyodide/" });
  postMessage({ stage: "core" });
  py.unpackArchive(await wheelDownload, "wheel");
  bridge = py.pyimport("tafagent.web.bridge");
})();

self.onmessage = async (event) => {
  const { id, action, request } = event.data;
  try {
    await ready;
    postMessage({ id, text: bridge.call(String(action), String(request)) });
  } catch (error) {
    postMessage({ id, error: String((error && error.message) || error).split("\n")[0].slice(0, 200) });
  }
};
