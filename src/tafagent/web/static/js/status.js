// The status line, the progress bar, and the queue that runs the user's actions one at a time.
//
// State that never lies: an action clears its mode's result area before it runs, and an error replaces that area
// with the message, so an old result is never left under new input. Actions taken while the Python runtime boots
// wait in the queue (the status says so) and run as soon as it is ready.
import { $, clear, el } from "./dom.js";
import { t } from "./i18n.js";
import { session } from "./session.js";

const actions = { queue: Promise.resolve(), busyCount: 0, startedAt: null, booting: false, queuedDuringBoot: 0 };

// Hold every later action until ``promise`` (the boot) settles.
export function holdUntil(promise) {
  actions.booting = true;
  const settled = promise.then(() => {}, () => {}).finally(() => { actions.booting = false; });
  actions.queue = actions.queue.then(() => settled);
}

// Whether the user asked for something while the runtime was booting (that, not the link, is then shown first).
export function actedDuringBoot() { return actions.queuedDuringBoot > 0; }

function resultArea(mode) { return document.querySelector(`#mode-${mode} .out`); }

export function setStatus(text, isError = false) {
  const node = $("#status");
  node.textContent = text;
  node.classList.toggle("error", isError);
  // errors are also announced at once by screen readers (the status line itself is polite)
  $("#alert").textContent = isError ? text : "";
}

export function busy(on) {
  actions.busyCount = Math.max(0, actions.busyCount + (on ? 1 : -1));
  $("#progress").hidden = actions.busyCount === 0;
}

// When the running action began (the card timing starts at the user's action), else now.
export function actionStartedAt() { return actions.startedAt ?? performance.now(); }

// Runs one user action at a time, in order: a slow Hub fetch started first can never overwrite the result
// of a later action.
// ``out``: the result area the action replaces (default: the area of the mode on screen when it was asked for;
// null: none, for actions that only read a file or copy a link).
export function run(task, out = resultArea(session.mode)) {
  if (actions.booting) {
    actions.queuedDuringBoot += 1;
    setStatus(t("status.queued"));
  }
  const job = actions.queue.then(async () => {
    busy(true);
    setStatus(t("status.working"));
    actions.startedAt = performance.now();
    if (out) clear(out);
    try {
      const message = await task();
      setStatus(typeof message === "string" ? message : t("status.ready"));
      // on a phone the form can fill the screen: bring the new result into view
      if (out && out.firstChild && out.getBoundingClientRect().top > window.innerHeight) out.scrollIntoView({ block: "start" });
    } catch (error) {
      setStatus(error.message, true);
      const area = out || resultArea(session.mode);
      if (area) clear(area).append(el("p", { class: "error-box", dataset: { error: "true" }, text: error.message }));
    } finally {
      busy(false);
    }
  });
  actions.queue = job;
  return job;
}
