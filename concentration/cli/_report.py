"""``concentration report``: a reproducible HTML report and its JSON twin."""

from __future__ import annotations

import os
import sys

from ._common import (
    Progress,
    add_column_options,
    add_force_option,
    check_path,
    column_kwargs,
    number_or_mapping,
    option_message,
    parse_list,
    printable,
    refuse_unnamed,
)


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
    an.add_argument("--entities", default=None,
                    help="entity table (firm -> parent, dated, aliases): a Parquet file, or "
                         "'bundled' for the bundled table (the default with --demo; "
                         "'none' for no joining)")
    an.add_argument("--control-missing", dest="control_missing", default="cash_flow",
                    choices=("cash_flow", "none", "error"),
                    help="how a stake without a control value is read: votes in proportion "
                         "to cash flow (default), no votes, or an error")
    an.add_argument("--as-of", dest="as_of", default=None,
                    help="report as of this date (YYYY-MM-DD): later periods, holdings and "
                         "ties are left out; the network is shown on this date")
    an.add_argument("--max-age", dest="max_age", default=None,
                    help="holdings older than this at a period's end are not used for it, "
                         "e.g. 400D")
    an.add_argument("--markets", default=None,
                    help="comma-separated markets to report on (default: all)")
    an.add_argument("--include-non-markets", dest="non_markets", action="store_true",
                    help="keep row sets the data flag as not a market (is_market false)")
    an.add_argument("--margins", default=None,
                    help="price-cost margins of the merging parties (one number, or "
                         "FIRM=VALUE pairs such as \"A=0.4,B=0.5\"): adds unilateral-effects "
                         "screens (GUPPI, UPP, CMCR) beside the HHI screen")
    an.add_argument("--prices", default=None,
                    help="prices of the merging parties' products, as --margins "
                         "(default: equal prices)")
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
    entities = args.entities
    if entities is not None and entities.strip().lower() == "none":
        entities = None
    elif entities is not None and entities.strip().lower() != "bundled":
        check_path("report", "--entities", entities)
    kw = dict(shares=args.shares, holdings=args.holdings, partnerships=args.partnerships,
              merging=args.merging, guidelines=tuple(parse_list(args.guidelines)),
              config=args.config, title=args.title, entities=entities,
              control_missing=args.control_missing, as_of=args.as_of, max_age=args.max_age,
              markets=args.markets, non_markets=args.non_markets,
              margins=number_or_mapping("report", "--margins", args.margins),
              prices=number_or_mapping("report", "--prices", args.prices),
              **column_kwargs(args))
    if args.demo:
        if args.shares or args.holdings or args.partnerships or args.config:
            raise InvalidParameterError(
                "The '--demo' option cannot be combined with --shares, --holdings, "
                "--partnerships or --config. Drop --demo to report on your own files.")
        from ..reporting import demo_inputs

        demo = demo_inputs()
        for k, v in demo.items():
            if k in ("merging", "title", "guidelines", "entities"):
                if k == "title" and args.title != "Concentration report":
                    continue
                if k == "guidelines" and args.guidelines != "us2023":
                    continue
                if k == "merging" and args.merging:
                    continue
                if k == "entities" and args.entities is not None:
                    continue
            kw[k] = v
    elif not (args.shares or args.holdings or args.partnerships or args.config):
        raise InvalidParameterError(
            "concentration report needs an input: --shares, --holdings, --partnerships, "
            "--config, or --demo for the bundled data.")
    kw["output"], kw["json_output"] = _outputs(args)
    try:
        with Progress("report") as bar:
            result = report(**kw, progress=bar.step)
    except InvalidParameterError as exc:
        missing = getattr(exc, "missing_parties", None)
        if not missing:
            raise
        hints = "; ".join(
            f"for {name!r}: " + (", ".join(repr(c) for c in close) if close
                                 else "no close name")
            for name, close in missing.items())
        raise InvalidParameterError(option_message(
            "report", "--merging", "firms present in the shares data",
            ", ".join(repr(m) for m in missing),
            f"Closest names present {hints}. Check the spelling (names are "
            "case-sensitive), or pass --entities to resolve aliases and parents.")) from None
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
