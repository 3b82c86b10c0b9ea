// The status line, the progress bar, and the queue that runs the user's actions one at a time.
import { $ } from "./dom.js";
import { t } from "./i18n.js";

const actions = { queue: Promise.resolve(), busyCount: 0, startedAt: null };

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
export function run(task) {
  const job = actions.queue.then(async () => {
    busy(true);
    setStatus(t("status.working"));
    actions.startedAt = performance.now();
    try {
      const message = await task();
      setStatus(typeof message === "string" ? message : t("status.ready"));
    } catch (error) {
      setStatus(error.message, true);
    } finally {
      busy(false);
    }
  });
  actions.queue = job;
  return job;
}
