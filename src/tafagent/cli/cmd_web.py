"""``taf web``: build the browser app if needed and serve it on 127.0.0.1."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tafagent.cli.common import port_number
from tafagent.cli.output import emit_json
from tafagent.core.errors import UsageError


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "web",
        parents=[parent],
        help="serve the browser app (the same core, in Pyodide) on 127.0.0.1",
        description="Build the static browser app (Pyodide runtime + Chart.js from npm, this package as a wheel) "
        "and serve it locally. The built folder deploys as-is to any static host.",
    )
    parser.add_argument(
        "--port", type=port_number, default=8000, help="port 0-65535 on 127.0.0.1 (default 8000; 0 picks a free one)"
    )
    parser.add_argument(
        "--dir", type=Path, help="where to build the site (default: build/site in a checkout, else ~/.cache/tafagent)"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if a built site exists")
    parser.add_argument("--build-only", action="store_true", help="build the site and exit")
    parser.add_argument("--open", action="store_true", help="open the app in the default web browser")
    parser.add_argument(
        "--hub-endpoint",
        default="https://huggingface.co",
        help="where the app fetches Hub configs from (default https://huggingface.co)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.web.build import build_site, default_site_dir, site_is_stale
    from tafagent.web.server import make_server

    if not 0 <= args.port < 65536:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}", "e.g. --port 8000 (0: any free port)")
    site = (args.dir or default_site_dir()).resolve()
    fresh = args.rebuild or site_is_stale(site, args.hub_endpoint)
    if fresh:
        try:
            site = build_site(site, hub_endpoint=args.hub_endpoint)
        except OSError as error:  # an unwritable --dir or a full disk: one line, never a traceback
            raise UsageError(
                f"cannot build the site in '{site}' ({error.strerror or error})", "choose a writable folder with --dir"
            ) from None
    if args.build_only:
        if args.json:
            emit_json({"site": str(site), "built": fresh})
        else:
            sys.stdout.write(f"built {site}\n")
        return 0
    try:
        server = make_server(site, args.port, args.hub_endpoint)
    except OSError as error:
        raise UsageError(
            f"cannot listen on 127.0.0.1:{args.port} ({error.strerror or error})",
            "choose another port with --port N (0 picks a free one)",
        ) from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    if args.json:
        emit_json({"site": str(site), "url": url})
    else:
        sys.stdout.write(f"tafagent web app at {url} (Ctrl-C to stop)\n")
    sys.stdout.flush()
    if args.open:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
