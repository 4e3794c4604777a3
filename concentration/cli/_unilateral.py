"""``concentration unilateral``: GUPPI, UPP, IPR and CMCR of a deal beside the HHI screen."""

from __future__ import annotations

from ..exceptions import InvalidParameterError
from ._common import (
    add_column_options,
    add_command,
    add_duplicates_option,
    add_output_option,
    check_path,
    emit,
    fringe_reported,
    number_or_mapping,
    option_message,
    parse_list,
    read_shares_options,
)


def register(sub):
    p = add_command(sub, "unilateral", run,
                    help="unilateral-effects screen: diversion, GUPPI/UPP, IPR, CMCR",
                    inputs={"source": "Parquet file or directory of shares"})
    p.add_argument("--merging", required=True,
                   help="comma-separated merging parties, e.g. \"A,B\"")
    m = p.add_mutually_exclusive_group(required=True)
    m.add_argument("--margins",
                   help="price-cost margins as fractions: one number for every party, or "
                        "FIRM=VALUE pairs, e.g. \"A=0.4,B=0.5\"")
    m.add_argument("--margins-col",
                   help="column of the shares file that holds each firm's margin")
    q = p.add_mutually_exclusive_group()
    q.add_argument("--prices", default=None,
                   help="prices as FIRM=VALUE pairs (default: equal prices)")
    q.add_argument("--prices-col", default=None,
                   help="column of the shares file that holds each firm's price")
    p.add_argument("--diversion", default="proportional",
                   choices=("proportional", "outside-in", "inside-out"),
                   help="diversion ratios from shares (default: proportional)")
    p.add_argument("--recapture", type=float, default=1.0,
                   help="recapture rate for proportional and inside-out diversion (default: 1)")
    p.add_argument("--outside-share", type=float, default=0.0,
                   help="outside-good share for outside-in diversion (default: 0)")
    p.add_argument("--efficiency", type=float, default=0.0,
                   help="marginal-cost saving credited in UPP, a fraction of cost (default: 0)")
    p.add_argument("--kappa", type=float, default=None,
                   help="profit weight of each party on the other after the deal (default: 1, "
                        "a full merger; e.g. 0.2 for a minority stake)")
    p.add_argument("--holdings", default=None,
                   help="Parquet file of ownership stakes (owner, firm, cash_flow[, control]"
                        "[, period]): profit weights kappa among the parties from the "
                        "holdings (a partial stake or common ownership), instead of --kappa")
    p.add_argument("--control-col", default=None,
                   help="voting stake column of --holdings (default: control follows "
                        "cash flow)")
    p.add_argument("--elasticity", type=float, default=None,
                   help="market demand elasticity, for the Cournot CMCR (two parties)")
    p.add_argument("--guidelines", default="us2010",
                   help="comma-separated keys of the unilateral statements (default: us2010)")
    p.add_argument("--guppi-threshold", type=float, default=None,
                   help="a GUPPI threshold of your own, as a fraction (e.g. 0.05)")
    add_duplicates_option(p)
    add_output_option(p)
    add_column_options(p)


def _by_firm(args, frame, columns, flag, col):
    """Column ``col`` of the source as a Series by (market, period, firm) as the shares."""
    from ..io import read_table

    keys = [columns[k] for k in ("market", "period") if columns[k] in frame.columns]
    index = keys + [columns["firm"]]
    values = read_table(args.source, columns=index + [col]).set_index(index)[col]
    if values.index.has_duplicates:
        if (values.groupby(level=list(range(len(index)))).nunique(dropna=False) > 1).any():
            raise InvalidParameterError(option_message(
                args.command, flag, "a column with one value per market, period and firm",
                repr(col), "Keep one row per firm in each market."))
        values = values[~values.index.duplicated()]
    return values


def run(args):
    """GUPPI, UPP (net of an efficiency credit), IPR and the Bertrand (and Cournot)
    compensating marginal-cost reductions of the merging parties' products in every
    (market, period) of a Parquet file, with diversion ratios from the shares and the
    guideline text's statement on the value of diverted sales.  GUPPI and UPP are
    fractions of the product's price, CMCR of its marginal cost.
    """
    from .._tables import text_as_labels
    from ..unilateral import unilateral_screen

    check_path(args.command, "source", args.source)
    kappa = args.kappa
    if args.holdings is not None:
        from ..ownership import profit_weights, read_holdings

        if kappa is not None:
            raise InvalidParameterError(option_message(
                args.command, "--kappa", "left out when --holdings gives the weights",
                args.kappa, "Pass one of --kappa and --holdings."))
        check_path(args.command, "--holdings", args.holdings)
        kappa = profit_weights(read_holdings(args.holdings, control=args.control_col))
    margins = number_or_mapping(args.command, "--margins", args.margins)
    prices = number_or_mapping(args.command, "--prices", args.prices)
    with fringe_reported():  # the screen states its fringe policy in its notes
        frame, columns = read_shares_options(args, args.source, duplicates=args.duplicates)
        if args.margins_col:
            margins = _by_firm(args, frame, columns, "--margins-col", args.margins_col)
        if args.prices_col:
            prices = _by_firm(args, frame, columns, "--prices-col", args.prices_col)
        merging = text_as_labels(parse_list(args.merging), frame, columns["firm"])
        margins, prices = (text_as_labels(m, frame, columns["firm"])
                           for m in (margins, prices))
        result = unilateral_screen(frame, merging, margins=margins,
                                   prices=prices, diversion=args.diversion,
                                   recapture=args.recapture, outside_share=args.outside_share,
                                   efficiency=args.efficiency, kappa=kappa,
                                   elasticity=args.elasticity,
                                   guidelines=parse_list(args.guidelines),
                                   guppi_threshold=args.guppi_threshold, **columns,
                                   duplicates=args.duplicates)
    return emit(result.to_frame(), args, provenance_from=frame, index=False)
