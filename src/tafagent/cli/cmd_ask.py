"""``taf ask "QUESTION" [--lang en|es|fr|zh] [--llm-url URL] [--json]``: plain words in, audited answer out."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tafagent.adapters.sources import load_spec
from tafagent.cli.common import add_catalog_option, llm_timeout, load_catalogs, output_language
from tafagent.cli.output import console, emit_json
from tafagent.core.errors import UsageError
from tafagent.core.messages import Msg

if TYPE_CHECKING:  # the router and its tables load only when `taf ask` runs, not for every `taf` command
    from tafagent.core.ask import AskResult


def register(subparsers: Any, parent: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "ask",
        parents=[parent],
        help="plain-English (or Spanish, French, Chinese) question → recipe + parameters → answer",
        description="Route a free-form question to one of the eight recipes, offline and deterministically, run "
        "it, and answer in plain words. Prints the recipe, each parameter with where it came from (question, "
        "preset, model config, default), what was assumed, the verdict and a 4–6 sentence answer whose "
        "numbers all come from the audit chain. 32K means 32,000 tokens.",
    )
    parser.add_argument("question", nargs="+", metavar="QUESTION", help="the question (quote it)")
    parser.add_argument(
        "--llm-url",
        metavar="URL",
        help="optional OpenAI-compatible endpoint (llama.cpp, Ollama, vLLM) that may break a routing tie and "
        "rephrase the answer; every reply is validated, numbers always come from the chain",
    )
    parser.add_argument("--llm-model", default="default", metavar="NAME", help="model name sent to --llm-url")
    parser.add_argument("--llm-timeout", type=llm_timeout, default=30.0, metavar="S", help="seconds to wait, ≤ 3600")
    parser.add_argument("--chain", action="store_true", help="also print the full audit chain")
    add_catalog_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tafagent.core.ask import ask

    question = " ".join(args.question).strip()
    if not question:
        raise UsageError("empty question", 'e.g. taf ask "Will Llama-3-8B handle 32K context?"').in_words(
            Msg("cli.error.empty_question"),
            Msg("cli.error.example", command='taf ask "Will Llama-3-8B handle 32K context?"'),
        )
    assistant = None
    if args.llm_url:
        from tafagent.adapters.llm import OpenAICompatibleClient, chat_completions_url

        chat_completions_url(args.llm_url)  # a malformed URL is a one-line error before anything runs
        assistant = OpenAICompatibleClient(args.llm_url, model=args.llm_model, timeout_s=args.llm_timeout)
    result = ask(
        question,
        model_loader=load_spec,
        catalogs=load_catalogs(args.catalog),
        language=output_language(args, default=None),
        assistant=assistant,
    )
    if args.json:
        emit_json(result.to_dict())
        return 0 if result.ok else 1
    _render(result, chain=args.chain)
    if result.error is not None:
        sys.stderr.write(f"taf: error: {result.error}\n")
    elif result.recipe_id is None:  # unroutable: the panel above says why; the exit code 1 needs its line
        sys.stderr.write(f"taf: error: {unroutable_line(result)}\n")
    return 0 if result.ok else 1


# French sets a no-break space (U+00A0) before a colon, Chinese a full-width colon with no space
_COLON = {"fr": "\u00a0: ", "zh": "："}
_CLAUSE_SEP = {"fr": "\u00a0; ", "zh": "；"}


def colon(lang: str) -> str:
    """The colon that introduces a value in ``lang``'s text output (``Modèle : X``, ``模型：X``)."""
    return _COLON.get(lang, ": ")


def unroutable_line(result: AskResult) -> str:
    """One line for stderr, in the answer's language: why the question was not routed, then the likeliest
    recipes (``Routage impossible : … Recettes les plus probables : X-2 (…), X-5 (…)``)."""
    from tafagent.core.ask.summary import strings

    lang = result.language
    texts = strings(lang)
    labels = texts["cli"]
    why = " ".join((result.why or "").split())
    line = f"{labels['why']}{colon(lang)}{why}" if why else labels["why"]
    if result.suggestions:
        paren = "（{}）" if lang == "zh" else " ({})"
        listing = texts["list_sep"].join(s["recipe_id"] + paren.format(s["name"]) for s in result.suggestions)
        ended = bool(why) and why[-1] in ".。!！?？"  # a full stop already closes the reason
        sep = ("" if lang == "zh" else " ") if ended else _CLAUSE_SEP.get(lang, "; ")
        line += f"{sep}{labels['suggestions']}{colon(lang)}{listing}"
    return line


def _render(result: AskResult, *, chain: bool) -> None:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    from tafagent.cli.render import TONE_STYLE, render_result
    from tafagent.core.ask.summary import strings
    from tafagent.core.render.format import fmt
    from tafagent.core.render.report import TONE_EMOJI

    labels = strings(result.language)["cli"]
    out = console()
    if result.recipe_id is None:
        body = escape(result.why or "")
        out.print(Panel(body, title=labels["why"], title_align="left", border_style="yellow"))
        table = Table(title=labels["suggestions"], title_justify="left")
        for column in (labels["recipe"], "", ""):
            table.add_column(column, overflow="fold")
        for s in result.suggestions:
            table.add_row(s["recipe_id"], escape(s["name"]), escape(s["reason"]))
        out.print(table)
        _assumed(out, result, labels)
        return
    recipe_name = strings(result.language)["recipes"].get(result.recipe_id, result.recipe_id)
    model = escape(result.model or labels["none"])
    head = f"[bold]{result.recipe_id} — {escape(recipe_name)}[/bold]\n{labels['model']}{colon(result.language)}{model}"
    out.print(Panel(head, title=labels["route"], title_align="left"))
    # the answer leads (the verdict and why, then the short answer); the parameters it used follow, each with its
    # source, then what was assumed and, on request, the whole audit chain
    r = result.result
    if r is not None:
        verdict = strings(result.language)["verdicts"].get(r.verdict, r.verdict)
        style = TONE_STYLE[r.tone]
        reason = r.localized(result.language)["reason"]
        out.print(f"[bold {style}]{TONE_EMOJI[r.tone]} {escape(verdict)}[/] — {escape(reason)}")
        if result.answer:
            out.print(Panel(escape(result.answer), title=labels["answer"], title_align="left", border_style=style))
    table = Table(show_header=True)
    for column in (labels["parameter"], labels["value"], labels["source"]):
        table.add_column(column, overflow="fold")
    sources = labels["sources"]
    for name, value in result.params.items():
        source = result.param_sources.get(name, "")
        bold = source in ("question", "llm")
        shown_source = sources.get(source, source)
        table.add_row(
            name, escape(fmt(value, "", result.language)), f"[bold]{shown_source}[/]" if bold else shown_source
        )
    if result.params:
        out.print(table)
    _assumed(out, result, labels)
    if r is not None and chain:
        render_result(out, r, result.language)


def _assumed(out: Any, result: AskResult, labels: dict[str, Any]) -> None:
    from rich.markup import escape

    if result.assumed:
        out.print(f"[bold]{labels['assumed']}{colon(result.language).rstrip()}[/bold]")
        for note in result.assumed:
            out.print(f"  • {escape(note)}")
