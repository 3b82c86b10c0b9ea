"""Hugging Face Hub adapter: ``org/name[@revision]`` → ModelSpec, with exact weight sizes from file headers.

Built on ``huggingface_hub`` (extra ``[hub]``, imported inside functions, so importing this package is cheap).
The entry point is :func:`tafagent.adapters.hub.loader.load_hub_spec`; the modules, one concept each:

* ``settings`` — endpoint, cache, offline mode, token (and where it came from), timeouts and retry bounds,
  read from the environment at call time (``HF_ENDPOINT``, ``HF_HOME``/``HF_HUB_CACHE``, ``HF_HUB_OFFLINE``,
  ``HF_TOKEN``, ``HF_HUB_ETAG_TIMEOUT``, ``TAF_HUB_ATTEMPTS``, ``TAF_HUB_BACKOFF_S``);
* ``reference`` — ``org/name[@revision]`` → repo id and revision;
* ``library`` — the parts of huggingface_hub and its HTTP library in use; ``session`` — library, settings
  and reference of one call;
* ``retry`` — bounded retries of transient failures (timeouts, connection errors, HTTP 408/429/5xx);
* ``translate`` — every library or network failure → one TafError line with its fix (a token is never shown);
* ``files`` — config.json and other small files through ``/resolve/`` and the Hub cache;
* ``headers`` — safetensors and GGUF headers by HTTP range requests (no weights are downloaded);
* ``weight_files`` — which files carry the weights and how they are packed (pure);
* ``loader`` — :func:`load_hub_spec`, the orchestration.
"""
