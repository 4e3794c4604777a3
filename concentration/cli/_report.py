"""``concentration report``: a reproducible HTML report and its JSON twin."""

from __future__ import annotations

import sys

import os

from ._common import (Progress, add_column_options, add_force_option, check_path,
                      column_kwargs, option_message, parse_list, printable, refuse_unnamed)


def register(sub):
    p = sub.add_parser(
        "report", help="write a self-contained HTML report (and JSON of every number)",
        description="Write one self-contained HTML report (inline CSS and SVG figures, no "
                    "network access) and a JSON file with every number in it. Sections "
                    "appear as the inputs allow: provenance, indices with trend plots, "
                    "merger screens, MHHI by owner, partnership-network centrality, "
                    "methodology, versions and parameters. The same inputs give the same "
                    "bytes.",
        epilog="The JSON goes beside the HTML with the suffix .json (-o r.html writes "
               "r.html and r.json) unless --json names it; an --output ending in .json "
               "names the JSON file and the HTML goes to the same path with .html. An "
               "existing file that the command line does not name (the JSON twin, the HTML "
               "of a .json --output, the default report.html) is replaced only with "
               "--force.\n"
               "Examples: concentration report --demo -o report.html\n"
               "  concentration report --shares shares.parquet --merging 'A,B' -o r.html\n"
               "  concentration report --config report.toml")
    src = p.add_argument_group("inputs")
    src.add_argument("--demo", action="store_true",
                     help="use the bundled AI-industry datasets (cloud and model-API shares, "
                          "ownership stakes, the alliance network)")
    src.add_argument("--shares", default=None, help="Parquet file or directory of market shares")
    src.add_argument("--holdings", default=None,
                     help="Parquet file of holdings (owner, firm, cash_flow, control)")
    src.add_argument("--partnerships", default=None,
                     help="Parquet file of alliance ties (source, target, ...)")
    src.add_argument("--config", default=None,
                     help="TOML file with these options (command-line options win)")
    an = p.add_argument_group("analysis")
    an.add_argument("--merging", default=None,
                    help="comma-separated merging firms for the merger screen, e.g. 'A,B'")
    an.add_argument("--guidelines", default="us2023",
                    help="comma-separated guideline editions (default: us2023)")
    an.add_argument("--title", default="Concentration report", help="report title")
    out = p.add_argument_group("output")
    out.add_argument("--output", "--out", "-o", dest="output", default=None,
                     help="HTML file to write (default: report.html); a path ending in "
                          ".json names the JSON file and the HTML goes to <stem>.html")
    out.add_argument("--json", dest="json_output", default=None,
                     help="JSON file to write (default: the HTML path with .json)")
    add_force_option(out)
    add_column_options(p)
    p.set_defaults(handler=run)


def run(args):
    from ..exceptions import InvalidParameterError
    from ..reporting import report

    for flag, path in (("--shares", args.shares), ("--holdings", args.holdings),
                       ("--partnerships", args.partnerships), ("--config", args.config)):
        check_path("report", flag, path)
    kw = dict(shares=args.shares, holdings=args.holdings, partnerships=args.partnerships,
              merging=args.merging, guidelines=tuple(parse_list(args.guidelines)),
              config=args.config, title=args.title, **column_kwargs(args))
    if args.demo:
        if args.shares or args.holdings or args.partnerships or args.config:
            raise InvalidParameterError(
                "The '--demo' option cannot be combined with --shares, --holdings, "
                "--partnerships or --config. Drop --demo to report on your own files.")
        from ..reporting import demo_inputs

        demo = demo_inputs()
        for k, v in demo.items():
            if k in ("merging", "title", "guidelines"):
                if k == "title" and args.title != "Concentration report":
                    continue
                if k == "guidelines" and args.guidelines != "us2023":
                    continue
                if k == "merging" and args.merging:
                    continue
            kw[k] = v
    elif not (args.shares or args.holdings or args.partnerships or args.config):
        raise InvalidParameterError(
            "concentration report needs an input: --shares, --holdings, --partnerships, "
            "--config, or --demo for the bundled data.")
    kw["output"], kw["json_output"] = _outputs(args)
    with Progress("report") as bar:
        result = report(**kw, progress=bar.step)
    lines = [f"wrote {printable(result.output)} ({len(result.html.encode('utf-8')):,} bytes, "
             f"sha256 {result.sha256[:16]}) and {printable(result.json_output)}",
             "sections: " + "; ".join(result.sections)]
    lines += [f"skipped: {s}" for s in result.skipped]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _outputs(args):
    """The HTML and JSON paths of the run, after refusing to replace unnamed files.

    Paths named by --output, --json or the configuration file are written as asked;
    one that the command derives (the JSON twin, the HTML of a .json --output, the
    default report.html) must not replace an existing file unless --force.
    """
    from ..exceptions import InvalidParameterError
    from ..reporting import load_config, output_paths

    cfg = load_config(args.config) if args.config else {}
    for flag, value in (("--output", args.output), ("--json", args.json_output)):
        if value is not None and not value.strip():
            raise InvalidParameterError(option_message(
                "report", flag, "a file path", repr(value), "Name the file to write."))
    named = {"output": args.output if args.output is not None else cfg.get("output"),
             "json_output": args.json_output if args.json_output is not None
             else cfg.get("json_output")}
    raw_html = named["output"] if named["output"] is not None else "report.html"
    try:
        output, json_output = output_paths(raw_html, named["json_output"])
    except InvalidParameterError:
        if not (isinstance(raw_html, str) and isinstance(named["json_output"], str)):
            raise  # a configuration value that is not a path: the library's message
        raise InvalidParameterError(option_message(
            "report", "--json", "a file other than the HTML file of --output "
            f"{raw_html!r}", repr(named["json_output"]),
            "Name two different files, or omit --json to write the JSON beside the "
            "HTML.")) from None
    html_named = named["output"] is not None and os.path.splitext(
        named["output"])[1].lower() != ".json"
    json_named = named["json_output"] is not None or (
        named["output"] is not None and not html_named)
    if not html_named:
        what = (f"the HTML of --output {named['output']!r}"
                if named["output"] is not None else "the default --output")
        refuse_unnamed("report", output, what, "name the HTML file with --output",
                       force=args.force)
    if not json_named:
        refuse_unnamed("report", json_output, f"the JSON twin of {output!r}",
                       "name the JSON file with --json", force=args.force)
    return output, json_output
