"""The ``toolkit`` command: a Click group with one small module per command.

Commands are imported only when run, so ``toolkit lint`` never loads the
translation stack. Every error becomes a one-line message and exit code 2.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from toolkit import __version__
from toolkit.errors import ToolkitError

EXIT_ERROR = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader left

_COMMANDS = {
    "lint": ("toolkit.cli.lint", "lint", "Check files and report problems with rule ids and positions."),
    "clean": ("toolkit.cli.clean", "clean", "Repair files: pinyin, mojibake, punctuation, (unsafe) guesses."),
    "rules": ("toolkit.cli.rules", "rules", "List the rules, or explain one."),
    "translate": ("toolkit.cli.translate", "translate", "Translate articles to English Markdown, offline."),
    "models": ("toolkit.cli.models", "models", "Fetch, install and list translation models."),
    "corpus": (
        "toolkit.cli.corpus",
        "corpus",
        "Clean or lint corpora of JSONL/Parquet shards, on all cores or Ray.",
    ),
    "review": ("toolkit.cli.review", "review", "Write an HTML page to review repairs and translation."),
    "memory": ("toolkit.cli.memory", "memory", "Export, import (TMX) and count the translation memory."),
}

# Commands whose process holds nothing an exit handler must release once they return (their
# pools are closed, their files written atomically): :func:`run` ends it with ``os._exit``
# after flushing the output, sparing the interpreter's teardown of the lexicon and OpenCC
# tables (about 0.1 s, paid by every pre-commit run).
QUICK_EXIT = ("lint", "clean")


class LazyGroup(click.Group):
    """A group whose commands are imported on first use, with uniform error handling."""

    quick_exit = False  # the command resolved is one of QUICK_EXIT

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        module, attribute, _ = _COMMANDS[name]
        self.quick_exit = name in QUICK_EXIT
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, _, help_text) in _COMMANDS.items()])

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ToolkitError as error:
            click.echo(f"toolkit: error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("toolkit: interrupted", err=True)
            sys.exit(EXIT_ERROR)
        except BrokenPipeError:  # `toolkit rules | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as error:  # a crash must never look like success
            if os.environ.get("TOOLKIT_DEBUG"):
                raise
            click.echo(f"toolkit: internal error: {type(error).__name__}: {error}", err=True)
            click.echo("toolkit: set TOOLKIT_DEBUG=1 for the traceback", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toolkit")
def main() -> None:
    """Repair, lint and translate damaged Chinese web articles, offline.

    Exit codes: 0 clean, 1 problems found, 2 usage, input, config or model error.
    """


def run() -> None:
    """The ``toolkit`` program: :func:`main`, then, after a :data:`QUICK_EXIT` command, ``os._exit``.

    The exit code is the command's; a reader that left before the output was flushed gives
    :data:`EXIT_BROKEN_PIPE`, as inside the command, and an output that failed otherwise
    :data:`EXIT_ERROR`.
    """
    try:
        main()
    except SystemExit as stop:
        if not main.quick_exit or not (stop.code is None or isinstance(stop.code, int)):
            raise
        code = stop.code or 0
    else:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = EXIT_BROKEN_PIPE
    except OSError:  # the output could not be written whole (a full disk): never exit 0
        code = EXIT_ERROR
    os._exit(code)
