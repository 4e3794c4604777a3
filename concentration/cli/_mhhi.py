"""``concentration mhhi``: ownership-adjusted concentration (O'Brien-Salop MHHI)."""

from __future__ import annotations

from ._common import (
    add_column_options,
    add_command,
    add_output_option,
    check_path,
    emit,
    fringe_reported,
    on_terminal,
    read_shares_options,
)
from ._screen import add_entities_option, read_entities


def register(sub):
    p = add_command(sub, "mhhi", run, help="O'Brien-Salop modified HHI from shares and holdings",
                    inputs={"shares": "Parquet file or directory of market shares",
                            "holdings": "Parquet file or directory of ownership stakes"})
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
    p.add_argument("--as-of", default="snapshot", choices=("snapshot", "stake", "label"),
                   help="how dated holdings meet each share period: the latest holdings "
                        "period on or before its end used whole (snapshot, default), each "
                        "owner-firm stake's latest value on or before its end (stake), or "
                        "the holdings period of the same label (label)")
    p.add_argument("--max-age", default=None,
                   help="leave out holdings older than this at a period's end, e.g. 400D "
                        "(default: any age)")
    add_entities_option(p)
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
    g.add_argument("--control-missing", default="error", choices=("error", "cash_flow", "none"),
                   help="how a missing value of the control column is read: refused "
                        "(error, default), control follows cash flow (cash_flow), or no "
                        "control (none)")
    g.add_argument("--holdings-scale", choices=("fraction", "percent"), default="fraction",
                   help="unit of the stake columns (default: fraction)")
    add_output_option(p)
    add_column_options(p)


def run(args):
    """Compute HHI, MHHI and MHHI delta for every (market, period) of a shares table,
    with profit weights kappa from an ownership table (owner, firm,
    cash_flow[, control][, period]).  kappa[j, k] is the weight firm j's managers place
    on firm k's profit.  Dated holdings are matched as of each share period's end
    (--as-of, --max-age); --entities joins shares, holdings firms and owners to their
    ultimate parents; --control-missing says how a partial control column is read.
    """
    from ..ownership import ControlModel, mhhi, read_holdings

    check_path("mhhi", "holdings", args.holdings)
    entities = read_entities(args)
    holdings = read_holdings(args.holdings, owner=args.owner_col, firm=args.holdings_firm_col,
                             period=args.holdings_period_col, cash_flow=args.cash_flow_col,
                             control=args.control_col, scale=args.holdings_scale,
                             control_missing=args.control_missing)
    model = ControlModel(args.control_model, exponent=args.exponent, threshold=args.threshold)
    with fringe_reported():  # shares below one: listed firms only
        frame, columns = read_shares_options(args, args.shares, name="shares")
        result = mhhi(frame, holdings, control_model=model, **columns,
                      holdings_period=args.holdings_period, parent=entities,
                      as_of=args.as_of, max_age=args.max_age, progress=on_terminal())
    if args.by == "market":
        out = result.to_frame()
    elif args.by == "screen":
        out = result.screen()
    else:
        out = result.by_pair() if args.by == "pair" else result.by_owner()
    return emit(out, args, provenance_from=frame, index=args.by in ("market", "screen"))
