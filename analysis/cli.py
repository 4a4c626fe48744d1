"""The ``rtw-report`` console command.

The pipeline (pandas, papermill, the chapters) takes seconds to import, so it is imported only
once the SIGTERM handler is in place (``pipeline.interrupt``, a module that imports nothing
heavy): a build stopped at any moment says so and exits 130.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.core.i18n import t
from analysis.core.problems import InputError
from analysis.core.settings import DATA, LANGS, OUT, SUPPRESS_BELOW
from analysis.pipeline.interrupt import stoppable

# Modules that add their own sub-commands through ``register_cli(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = (
    "analysis.generators.provider",
    "analysis.importers.taguette",
    "analysis.importers.qdpx",
    "analysis.generators.cohort",
    "analysis.generators.register",
    "analysis.pipeline.bench",
    "analysis.pipeline.translations",
    "analysis.pipeline.template",
)


def _csv_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _build(args: argparse.Namespace) -> None:
    from analysis.pipeline.build import build, chosen_engine

    build(
        args.data,
        args.out,
        langs=args.lang,
        only=args.only,
        suppress_below=args.suppress_below,
        compare=not args.no_reproduction,
        jobs=args.jobs,
        force=args.force,
        pdf=args.pdf,
        engine=chosen_engine(args),
    )


def _message_lang(args: argparse.Namespace) -> str:
    """The language of messages: the first of ``--lang`` (English for commands without it)."""
    langs = getattr(args, "lang", ["en"]) or list(LANGS)
    return langs[0] if langs[0] in LANGS else "en"


def _lang_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--lang",
        type=_csv_list,
        default=None,
        help="languages, comma-separated; messages come in the first (default: the languages"
        " of book.yaml, else nb,en)",
    )


def parser(all_commands: bool = True) -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task (only ``build`` and ``validate``
    unless ``all_commands``: the generators and importers load the statistics libraries)."""
    from analysis.pipeline.build import chosen_engine, engine_options, validate

    main = argparse.ArgumentParser(prog="rtw-report", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="validate the data and build the book")
    build_cmd.add_argument(
        "--data", type=Path, default=DATA, help="data directory (default: data/)"
    )
    _lang_option(build_cmd)
    build_cmd.add_argument(
        "--only",
        type=_csv_list,
        default=None,
        help="components, comma-separated (default: all that exist)",
    )
    build_cmd.add_argument("--out", type=Path, default=OUT, help="output folder (default: _build)")
    build_cmd.add_argument(
        "--suppress-below",
        type=int,
        default=None,
        metavar="N",
        help="disclosure control: hide counts below N in person-level tables "
        f"(default {SUPPRESS_BELOW}; 0 turns it off)",
    )
    build_cmd.add_argument(
        "--no-reproduction",
        action="store_true",
        help="compare with no publication, even where the data declare one they reproduce",
    )
    build_cmd.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="pages and languages to run at a time (default: the number of cores)",
    )
    build_cmd.add_argument(
        "--force", action="store_true", help="do all the work again, ignoring the cache"
    )
    build_cmd.add_argument(
        "--pdf",
        action="store_true",
        help="also print each language's book as one PDF with headless Chromium (make book does)",
    )
    engine_options(build_cmd)
    build_cmd.set_defaults(run=_build)

    validate_cmd = commands.add_parser(
        "validate", help="check the data files against their contracts, without building"
    )
    validate_cmd.add_argument(
        "--data", type=Path, default=DATA, help="data directory (default: data/)"
    )
    validate_cmd.add_argument(
        "--only", type=_csv_list, default=None, help="chapters, comma-separated (default: all)"
    )
    _lang_option(validate_cmd)
    engine_options(validate_cmd)
    validate_cmd.set_defaults(
        run=lambda args: validate(args.data, args.only, langs=args.lang, engine=chosen_engine(args))
    )
    for module in COMMAND_MODULES if all_commands else ():
        importlib.import_module(module).register_cli(commands)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; print a clear message and return non-zero on failure (130 when
    interrupted by Ctrl-C or SIGTERM, from the start: the work in progress is removed,
    children end)."""
    one_blas_thread()
    keep_freed_memory()
    try:
        with stoppable():
            return _run(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:
        print("rtw-report: interrupted; the previous book is unchanged.", file=sys.stderr)
        return 130


def one_blas_thread() -> None:
    """Let numpy's BLAS (OpenBLAS) use one thread in this process and the processes it starts,
    unless ``OPENBLAS_NUM_THREADS`` says otherwise; set before numpy is imported. The build
    already runs a process per core (``--jobs``) beside DuckDB's threads, so BLAS threads only
    contend for the same cores: on the project's busy 2-core machine the Cox fits of 200,000
    persons took 2.5 times as long with two."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# glibc's ``mallopt`` parameters (malloc.h) and the values :func:`keep_freed_memory` sets.
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
MALLOC_SETTINGS = {M_MMAP_THRESHOLD: 32 << 20, M_TRIM_THRESHOLD: 1 << 30, M_TOP_PAD: 256 << 20}


def keep_freed_memory() -> None:
    """Let glibc keep the memory this process frees for its next arrays instead of handing it
    back to the system at once: arrays up to 32 MB come from the heap, which is trimmed only
    when more than 1 GB of it is free. Reading and analysing a register-sized cohort goes
    through many short-lived arrays of megabytes; returning and faulting them in again cost
    7 of the 35 CPU-seconds of the cohort's ``load()`` and ``analyse()`` at a million rows
    (system time), for 0.2 GB more at the peak. Nothing on another C library."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return
    for parameter, value in MALLOC_SETTINGS.items():
        mallopt(parameter, value)


def _run(argv: list[str]) -> int:
    """Parse ``argv`` and run the command (the pipeline imported here, see the module)."""
    from analysis.pipeline.build import BuildError

    args = parser(all_commands=not argv or argv[0] not in ("build", "validate")).parse_args(argv)
    try:
        args.run(args)
    except InputError as error:
        lang = _message_lang(args)
        print(f"rtw-report: {t('input.stopped', lang)}\n{error.text(lang)}", file=sys.stderr)
        return 2
    except (BuildError, ValueError) as error:
        print(
            f"rtw-report: build failed, the previous book is unchanged.\n{error}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
