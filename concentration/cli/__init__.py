"""The ``concentration`` command line.

Each subcommand lives in a small module that defines ``register(subparsers)``;
this file only assembles them, runs the chosen one and maps errors to exit codes:
0 success, 1 the analysis failed validation or a file could not be read or written,
2 usage error (a bad option, or an existing file that the command line does not name
and that would be replaced without ``--force``).  Errors print as one line unless
``--debug`` is given.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..exceptions import ConcentrationError, InvalidParameterError

__all__ = ["main", "build_parser"]

#: Modules that register subcommands, in the order ``--help`` lists them.
SUBCOMMAND_MODULES = (
    "concentration.cli._indices",
    "concentration.cli._screen",
    "concentration.cli._report",
    "concentration.cli._datasets",
    "concentration.cli._mhhi",
    "concentration.cli._network",
    "concentration.cli._overlap",
    "concentration.cli._unilateral",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="concentration",
        description="Antitrust concentration analysis: indices, merger screens, MHHI, "
                    "partnership networks.",
        epilog="Run 'concentration COMMAND --help' for a command's options. Exit codes: "
               "0 success, 1 the analysis failed validation or a file could not be read "
               "or written, 2 usage error (including a file that would be replaced "
               "without --force). Errors print as one line; add --debug for the "
               "traceback.")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback on errors")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for subparser in sub.choices.values():  # --debug also accepted after the subcommand
        if "--debug" not in subparser._option_string_actions:
            subparser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                   help="show the full traceback on errors")
    return parser


class _VersionAction(argparse.Action):
    """``--version``: print the version and exit (read from the metadata only when asked)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show program's version number and exit"):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(_version() + "\n")
        parser.exit()


def _version():
    from .. import __version__

    return f"concentration {__version__}"


def main(argv=None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InvalidParameterError as exc:
        if args.debug:
            raise
        _error(args.command, exc)
        return 2
    except (ConcentrationError, OSError) as exc:
        if args.debug:
            raise
        _error(args.command, exc)
        return 1
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"concentration {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: still one line unless --debug
        if args.debug:
            raise
        _error(args.command, f"unexpected {type(exc).__name__}: {exc} (rerun with --debug "
                             "for the traceback)")
        return 1


def _error(command, exc):
    """Print an error as one line on stderr."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, KeyError) and text.startswith(("'", '"')) and text.endswith(("'", '"')):
        text = text[1:-1]  # KeyError's str() adds quotes
    for prefix in (f"concentration {command}: error: ", f"concentration {command}: ",
                   f"{command}: "):
        while text.startswith(prefix):  # the message names the command; do not repeat it
            text = text[len(prefix):]
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # undecodable path bytes
    if isinstance(exc, ConcentrationError):  # the library's words -> the CLI's flags
        from ._common import in_cli_terms

        text = in_cli_terms(text)
    print(f"concentration {command}: error: {text}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
