"""Showing a benchmark run: terminal tables (rich), the JSON report and the plot (matplotlib).

The report dict is built by ``qa.bench.cli``; its keys are

* answers (question sets and SQuAD): ``n``, ``em``, ``f1``, ``has_ans`` / ``no_ans``
  (``{"n", "em", "f1"}``, absent when there are no such questions), ``abstention``
  (``{"abstained", "precision", "recall"}``), ``by_question_word``;
* retrieval: ``recall`` (``{"1", "5", "20"}``) and ``mrr10`` over answerable questions; for BEIR,
  ``ndcg10`` and ``recall`` ``{"100"}`` map each method to its figure;
* speed: ``latency_ms`` (``{"p50", "p95", "retrieve", "read"}``; for BEIR one ``{"p50", "p95"}``
  per method), ``qps`` (per method for BEIR), ``peak_rss_mb`` (includes an index build done in
  this run), ``wall_seconds``, ``index`` (build seconds, sizes, whether built now);
* ``peers``: other systems on the same questions (leaderboard files scored on this run's question
  ids, published BEIR figures) and ``rank_bm25_speed``; ``settings``: what was run.

EM and F1 are x100; recall, MRR and nDCG are fractions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def write_json(report: dict, path: str | Path) -> None:
    """Write ``report`` as indented JSON (the parent folder is created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _console():
    from rich.console import Console

    # Off a terminal rich assumes 80 columns and would fold the wider tables.
    return Console(width=None if sys.stdout.isatty() else 120)


def _f(x, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def print_tables(report: dict) -> None:
    """Print the run's tables on stdout."""
    from rich.table import Table

    console = _console()
    s = report["settings"]
    console.print(
        f"[bold]qa bench[/bold] {s['file']}  format={s['format']} mode={s['mode']} split={s.get('split') or '-'} "
        f"n={report['n']} retriever={s['retriever']} reader={s.get('reader', '-')} backend={s['backend']}"
        + (f" min_score={s['min_score']}" if s.get("min_score") is not None else "")
        + (f" reader_dir={s['reader_dir']}" if s.get("reader_dir") else "")
    )
    if "ndcg10" in report:
        _beir_table(console, report, Table)
    else:
        _answer_tables(console, report, Table)
    _speed_table(console, report, Table)


def _answer_tables(console, report: dict, Table) -> None:
    has_no = "no_ans" in report or any("no_ans" in p for p in report.get("peers", {}).values() if isinstance(p, dict))
    t = Table(title="Answers (EM / F1 x100, official SQuAD normalization)")
    for col in ("system", "n", "EM", "F1", "HasAns EM", "HasAns F1", *(("NoAns EM", "NoAns F1") if has_no else ())):
        t.add_column(col, justify="left" if col == "system" else "right")
    s = report["settings"]
    rows = [(f"qa ({s['reader']}, {s['retriever']})", report)]
    rows += [(name, peer) for name, peer in report.get("peers", {}).items() if name not in ("rank_bm25_speed",)]
    for name, r in rows:
        if r.get("missing"):
            name = f"{name} ({r['missing']} unanswered: scored 0)"
        has, no = r.get("has_ans", {}), r.get("no_ans", {})
        cells = [name, str(r["n"]), _f(r["em"]), _f(r["f1"]), _f(has.get("em")), _f(has.get("f1"))]
        if has_no:
            cells += [_f(no.get("em")), _f(no.get("f1"))]
        t.add_row(*cells)
    console.print(t)

    a = report.get("abstention", {})
    t = Table(title="Abstention (no answer)")
    for col in ("abstained", "precision", "recall"):
        t.add_column(col, justify="right")
    t.add_row(str(a.get("abstained", 0)), _f(a.get("precision"), 3), _f(a.get("recall"), 3))
    console.print(t)

    if "recall" in report:
        n_ans = report.get("has_ans", {}).get("n", report["n"])
        t = Table(title=f"Retrieval ({n_ans} answerable questions; a passage holding a gold answer is a hit)")
        for col in ("recall@1", "recall@5", "recall@20", "MRR@10"):
            t.add_column(col, justify="right")
        rec = report["recall"]
        t.add_row(_f(rec["1"], 3), _f(rec["5"], 3), _f(rec["20"], 3), _f(report["mrr10"], 3))
        console.print(t)

    c = report.get("citations")
    if c:
        t = Table(title="Citations (where the question set says the answer is)")
        for col in ("questions", "right file", "with a page", "right page", "right page and exact"):
            t.add_column(col, justify="right")
        t.add_row(str(c["n"]), str(c["right_file"]), str(c["n_with_page"]), str(c["right_page"]),
                  str(c["right_page_and_correct"]))
        console.print(t)

    words = report.get("by_question_word", {})
    if words:
        t = Table(title="F1 by question word")
        for w in words:
            t.add_column(w, justify="right")
        t.add_row(*(f"{_f(v['f1'])} ({v['n']})" for v in words.values()))
        console.print(t)


def _beir_table(console, report: dict, Table) -> None:
    t = Table(title=f"BEIR retrieval ({report['n']} judged queries; a document ranks by its best chunk)")
    for col in ("system", "nDCG@10", "Recall@100", "p50 ms", "p95 ms", "q/s"):
        t.add_column(col, justify="left" if col == "system" else "right")
    for method, ndcg in report["ndcg10"].items():
        lat = report["latency_ms"][method]
        t.add_row(f"qa {method}", _f(ndcg, 3), _f(report["recall"]["100"][method], 3),
                  _f(lat["p50"]), _f(lat["p95"]), _f(report["qps"][method]))
    for name, peer in report.get("peers", {}).items():
        if "ndcg10" in peer:
            t.add_row(f"{name} (published)", _f(peer["ndcg10"], 3), _f(peer.get("recall100"), 3), "-", "-", "-")
    console.print(t)


def _speed_table(console, report: dict, Table) -> None:
    t = Table(title="Speed")
    t.add_column("measure")
    t.add_column("value", justify="right")
    idx = report.get("index", {})
    if idx:
        state = "built in this run" if idx.get("built_now") else "cached"
        t.add_row("index build (manifest)", f"{_f(idx.get('build_seconds'))} s ({state})")
        t.add_row("index size", f"{idx.get('n_documents')} documents, {idx.get('n_chunks')} chunks")
    lat = report.get("latency_ms", {})
    for stage in ("retrieve", "read"):
        if stage in lat:
            t.add_row(f"{stage} latency p50 / p95", f"{_f(lat[stage]['p50'])} / {_f(lat[stage]['p95'])} ms")
    if "p50" in lat:
        t.add_row("per question p50 / p95", f"{_f(lat['p50'])} / {_f(lat['p95'])} ms")
        t.add_row("questions per second", _f(report.get("qps")))
    speed = report.get("peers", {}).get("rank_bm25_speed")
    if speed:
        t.add_row(
            f"BM25 scoring median, {speed['n_queries']} queries x {speed['n_chunks']} chunks",
            f"rank-bm25 {_f(speed['rank_bm25_ms_p50'], 2)} ms vs ours {_f(speed['ours_ms_p50'], 3)} ms",
        )
        t.add_row("BM25 max |score difference|", f"{speed['max_abs_diff']:.2e}")
    t.add_row("peak memory (ru_maxrss)", f"{_f(report.get('peak_rss_mb'))} MB")
    t.add_row("wall time", f"{_f(report.get('wall_seconds'))} s")
    console.print(t)


def plot(report: dict, latencies_ms: dict[str, list[float]], path: str | Path) -> None:
    """Save a figure: F1 by question word (or nDCG@10 by method for BEIR) and a latency histogram.

    Args:
        report: the report dict.
        latencies_ms: series name -> per-question latencies, for the histogram.
        path: the PNG to write.
    """
    import logging

    import matplotlib

    logging.getLogger("matplotlib").setLevel(logging.WARNING)  # its font-cache notice is not ours to show
    matplotlib.use("Agg")  # no display on servers; must precede pyplot
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    if "ndcg10" in report:
        ours = [(f"qa {m}", v) for m, v in report["ndcg10"].items()]
        published = [(n.replace(" BM25", "\nBM25"), p["ndcg10"]) for n, p in report.get("peers", {}).items() if "ndcg10" in p]
        bars = left.bar([n for n, _ in ours + published], [v for _, v in ours + published],
                        color=["tab:blue"] * len(ours) + ["lightgray"] * len(published))
        left.bar_label(bars, fmt="%.3f", fontsize=8)
        left.tick_params(axis="x", labelsize=7)
        left.set_ylim(0, 1)
        left.set_ylabel("nDCG@10")
        left.set_title("nDCG@10: ours (blue) and published (gray)")
    else:
        words = report.get("by_question_word", {})
        left.bar([f"{w}\n({v['n']})" for w, v in words.items()], [v["f1"] for v in words.values()], color="tab:blue")
        left.set_ylabel("F1 (x100)")
        left.set_ylim(0, 100)
        left.set_title("F1 by question word (n)")
    top = max((max(v) for v in latencies_ms.values() if v), default=1.0)
    bins = [top * i / 40 for i in range(41)]  # shared bins, so the series compare bar for bar
    for name, values in latencies_ms.items():
        if values:
            right.hist(values, bins=bins, alpha=0.6, label=name)
    right.set_xlabel("latency (ms)")
    right.set_ylabel("questions")
    right.set_title("Latency per question")
    right.legend()
    s = report["settings"]
    fig.suptitle(f"{Path(s['file']).name}  mode={s['mode']} split={s.get('split') or '-'} n={report['n']}", fontsize=10)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
