"""Hugging Face Hub adapter: ``org/name[@revision]`` → ModelSpec, with exact weight sizes from file headers.

Built on ``huggingface_hub`` (extra ``[hub]``, imported inside functions, so importing this package is cheap).
The entry point is :func:`tafagent.adapters.hub.loader.load_hub_spec`; the modules, one concept each:

* ``settings`` — endpoint, cache, offline mode, token (and where it came from), timeouts, retry bounds and
  the deadline, read from the environment at call time (``HF_ENDPOINT``, ``HF_HOME``/``HF_HUB_CACHE``,
  ``HF_HUB_OFFLINE``, ``HF_TOKEN``, ``HF_HUB_ETAG_TIMEOUT``, ``TAF_HUB_ATTEMPTS``, ``TAF_HUB_BACKOFF_S``,
  ``TAF_HUB_DEADLINE_S``);
* ``reference`` — ``org/name[@revision]`` → repo id and a revision checked to be a valid ref;
* ``library`` — the parts of huggingface_hub and its HTTP library in use; ``session`` — library, settings,
  reference and deadline of one call;
* ``deadline`` — the one time budget of a MODEL; ``guard`` — that deadline, the per-request timeout and a
  size cap enforced on every request (ours and the library's), the library's own retries turned off;
* ``retry`` — bounded retries of transient failures (timeouts, connection errors, HTTP 408/429/5xx);
* ``translate`` — every library or network failure → one TafError line with its fix (a token is never shown);
* ``model_info`` — the repo's commit sha and file list, a malformed answer refused in one line;
* ``files`` — config.json and other small files through ``/resolve/`` and the Hub cache;
* ``headers`` — safetensors and GGUF headers by HTTP range requests (no weights are downloaded);
* ``weight_files`` — which files carry the weights and how they are packed (pure);
* ``loader`` — :func:`load_hub_spec`, the orchestration.
"""
