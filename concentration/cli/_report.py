"""``concentration report``: a reproducible HTML report and its JSON twin."""

from __future__ import annotations

import sys

from ._common import Progress, add_column_options, column_kwargs, parse_list


def register(sub):
    p = sub.add_parser(
        "report", help="write a self-contained HTML report (and JSON of every number)",
        description="Write one self-contained HTML report (inline CSS and SVG figures, no "
                    "network access) and a JSON file with every number in it. Sections "
                    "appear as the inputs allow: provenance, indices with trend plots, "
                    "merger screens, MHHI by owner, partnership-network centrality, "
                    "methodology, versions and parameters. The same inputs give the same "
                    "bytes.",
        epilog="Examples: concentration report --demo -o report.html\n"
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
    out.add_argument("--output", "--out", "-o", dest="output", default="report.html",
                     help="HTML file to write (default: report.html)")
    out.add_argument("--json", dest="json_output", default=None,
                     help="JSON file to write (default: the HTML path with .json)")
    add_column_options(p)
    p.set_defaults(handler=run)


def run(args):
    from ..exceptions import InvalidParameterError
    from ..reporting import report

    kw = dict(shares=args.shares, holdings=args.holdings, partnerships=args.partnerships,
              merging=args.merging, guidelines=tuple(parse_list(args.guidelines)),
              config=args.config, output=args.output, json_output=args.json_output,
              title=args.title, **column_kwargs(args))
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
    with Progress("report") as bar:
        result = report(**kw, progress=bar.step)
    lines = [f"wrote {result.output} ({len(result.html.encode('utf-8')):,} bytes, "
             f"sha256 {result.sha256[:16]}) and {result.json_output}",
             "sections: " + "; ".join(result.sections)]
    lines += [f"skipped: {s}" for s in result.skipped]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
