// Starts the Python runtime's worker the moment the page's head is parsed, before the page's modules load:
// Pyodide's download and compilation (most of the first card's time) overlap with everything else.
// js/core.js adopts this worker and attaches its handler within milliseconds; the worker's first message comes
// seconds later (Pyodide loaded), so none is missed.
"use strict";
globalThis.tafagentWorker = { worker: new Worker("worker.js"), startedAt: performance.now() };
