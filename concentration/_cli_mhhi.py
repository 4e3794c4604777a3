"""``concentration mhhi``: ownership-adjusted concentration (O'Brien-Salop MHHI)."""

from __future__ import annotations

from ._cli_common import add_column_options, column_kwargs, write_output


def register(sub):
    p = sub.add_parser(
        "mhhi", help="O'Brien-Salop modified HHI from shares and holdings",
        description="Compute HHI, MHHI and MHHI delta for every (market, period) of a shares "
                    "table, with profit weights kappa from an ownership table (owner, firm, "
                    "cash_flow[, control][, period]).  kappa[j, k] is the weight firm j's "
                    "managers place on firm k's profit.")
    p.add_argument("shares", help="Parquet file or directory of market shares")
    p.add_argument("holdings", help="Parquet file or directory of ownership stakes")
    p.add_argument("--control-model", default="proportional",
                   choices=("proportional", "voting", "power", "size", "banzhaf", "sole"),
                   help="how voting stakes become control weights (default: proportional)")
    p.add_argument("--exponent", type=float, default=2.0,
                   help="exponent a of the power control model (default: 2)")
    p.add_argument("--threshold", type=float, default=0.5,
                   help="sole-control threshold, as a fraction (default: 0.5)")
    p.add_argument("--by", choices=("market", "pair", "owner", "screen"), default="market",
                   help="output: per market (hhi, mhhi, mhhi_delta), per ordered firm pair, "
                        "per owner (attribution of MHHI delta), or the Elhauge screen")
    p.add_argument("--holdings-period", default=None,
                   help="holdings period to use when the shares have no period column")
    g = p.add_argument_group("holdings columns")
    g.add_argument("--owner-col", default="owner", help="owner column (default: owner)")
    g.add_argument("--holdings-firm-col", default="firm",
                   help="firm column of the holdings (default: firm)")
    g.add_argument("--holdings-period-col", default="period",
                   help="period column of the holdings (default: period; absent = one period)")
    g.add_argument("--cash-flow-col", default="cash_flow",
                   help="cash-flow stake column (default: cash_flow)")
    g.add_argument("--control-col", default=None,
                   help="voting stake column (default: none, control follows cash flow)")
    g.add_argument("--holdings-scale", choices=("fraction", "percent"), default="fraction",
                   help="unit of the stake columns (default: fraction)")
    p.add_argument("--out", "-o", default=None,
                   help="output file (.parquet, .csv, .json); a table on stdout if omitted")
    add_column_options(p)
    p.set_defaults(handler=run)


def run(args):
    import warnings

    from .exceptions import FringeWarning
    from .holdings import read_holdings
    from .io import read_shares
    from .ownership import ControlModel, mhhi

    kw = column_kwargs(args)
    holdings = read_holdings(args.holdings, owner=args.owner_col, firm=args.holdings_firm_col,
                             period=args.holdings_period_col, cash_flow=args.cash_flow_col,
                             control=args.control_col, scale=args.holdings_scale)
    model = ControlModel(args.control_model, exponent=args.exponent, threshold=args.threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)  # shares below one: listed firms only
        frame = read_shares(args.shares, **kw)
        share_col = kw["share"] if kw["value"] is None else "share"
        result = mhhi(frame, holdings, control_model=model, market=kw["market"],
                      period=kw["period"], firm=kw["firm"], share=share_col,
                      holdings_period=args.holdings_period)
    if args.by == "market":
        out = result.to_frame()
    elif args.by == "screen":
        out = result.screen()
    else:
        out = result.by_pair() if args.by == "pair" else result.by_owner()
    out.attrs["provenance"] = frame.attrs.get("provenance", {})
    write_output(out, args.out, index=args.by in ("market", "screen"))
    return 0
