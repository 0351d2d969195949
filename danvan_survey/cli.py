"""Command line: ``danvan-survey run | demo | forms | analyse | report | compare``.

Every command prints progress, ends with a Vietnamese summary, and turns bad input into
a clear message with a non-zero exit code (never a traceback).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from danvan_survey import crashlog
from danvan_survey.errors import InputError
from danvan_survey.memory import use_jemalloc

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Khảo sát thực trạng công tác dân vận ở cơ sở — xử lý dữ liệu.",
)
console = Console(highlight=False)
RoundOpt = Annotated[
    str, typer.Option("--round", "-r", help="Mã đợt khảo sát (thư mục data/raw/<mã>)")
]
RootOpt = Annotated[
    Path | None, typer.Option("--root", help="Thư mục dự án (mặc định: thư mục hiện tại)")
]


def _progress(message: str) -> None:
    crashlog.STEP[0] = message
    console.print(f"[cyan]•[/] {escape(message)}")


def _guard(fn: Callable[[], Any], command: str = "", round_id: str = "",
           root: Path | None = None) -> Any:
    """Run a command: never a bare traceback.

    Bad input → a message and exit 2; anything unexpected → a message naming the step
    and the input, the traceback in a log file whose path is printed, exit 1.
    User text (file names, values) is printed literally, never as rich markup.
    """
    crashlog.STEP[0] = "khởi động"
    use_jemalloc()
    try:
        return fn()
    except InputError as exc:
        console.print(f"[bold red]Lỗi dữ liệu đầu vào:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print("[yellow]Đã dừng theo yêu cầu; không có kết quả nào được ghi dở.[/]")
        raise typer.Exit(130) from None
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence: log, say, exit 1
        log = crashlog.write(exc, command, round_id, root)
        said = crashlog.message(exc, command, round_id, log)
        console.print(f"[bold red]Lỗi không mong đợi:[/] {escape(said)}", soft_wrap=True)
        raise typer.Exit(1) from None


def _num(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def run_pipeline(round_id: str, root: Path | None, analyse: bool = True) -> dict[str, Path]:
    """Run ingest → clean → validate → export (→ analyse) and print the summary."""
    from danvan_survey.config import clean_dir
    from danvan_survey.export import write_outputs
    from danvan_survey.paths import round_files
    from danvan_survey.pipeline import run_round

    started = time.perf_counter()
    result = run_round(round_id, root, _progress)
    out_dir = clean_dir(round_id, root)
    _progress(f"Ghi kết quả vào {out_dir}")
    inputs = round_files(result.cfg.folder)
    outputs = write_outputs(result, out_dir, inputs)
    cfg, summary = result.cfg, _summary_tables(result)
    del result  # its tables are written: the analysis reads them back, with less memory
    if analyse:
        outputs |= run_analysis_step(cfg, out_dir)
    _print_summary(summary, outputs, time.perf_counter() - started)
    return outputs


def run_analysis_step(cfg: Any, out_dir: Path) -> dict[str, Path]:
    """Indicators, weak organisations, DVK catalogue and cadre estimates.

    A large round's estimates process starts first, so that its imports overlap ours.
    """
    from danvan_survey import cadre_job

    _progress("Tính chỉ tiêu, tổ chức yếu kém, mô hình dân vận khéo và ước lượng phiếu cán bộ")
    child = cadre_job.start(out_dir)
    try:
        from danvan_survey.analyse import run_analysis

        out = run_analysis(cfg, out_dir, _progress, started=child)
    finally:
        if child is not None:
            child.wait()
    return {Path(p).name: Path(p) for p in out.values()}


def _summary_tables(result: Any) -> list[Table]:
    """The run's summary: records per source, values changed per rule, top issues."""
    from danvan_survey.export import cleaning_log, issues_table, source_counts
    from danvan_survey.rule_labels import form_label, level_label, rule_label

    counts = source_counts(result)
    t = Table(
        title=f"Kết quả đợt {result.cfg.round_id}"
        + (" (DỮ LIỆU MÔ PHỎNG)" if result.cfg.synthetic else "")
    )
    t.add_column("Tệp nguồn", overflow="fold")  # a whole file name, over several lines
    for col in ("Phiếu", "Đọc", "Sạch", "Cách ly", "Trùng đã loại"):
        t.add_column(col, justify="left" if col == "Phiếu" else "right")
    for r in counts.itertuples(index=False):
        t.add_row(
            escape(str(r.source_file)), form_label(str(r.form)).split(" (")[0], _num(r.read),
            _num(r.clean), _num(r.quarantined), _num(r.duplicates),
        )
    log = cleaning_log(result)
    rules = Table(title="Nhật ký làm sạch: số giá trị đã sửa theo quy tắc")
    rules.add_column("Quy tắc")
    rules.add_column("Ý nghĩa")
    rules.add_column("Số giá trị", justify="right")
    for rule, n in log.groupby("rule").size().sort_values(ascending=False).head(12).items():
        rules.add_row(escape(str(rule)), escape(rule_label(str(rule))), _num(int(n)))
    issues = issues_table(result)
    top = Table(title="Các vấn đề kiểm tra thường gặp nhất")
    for col in ("Mức", "Quy tắc", "Số lần", "Nội dung"):
        top.add_column(col, justify="right" if col == "Số lần" else "left")
    grouped = issues.groupby(["level", "rule", "message"]).size().sort_values(ascending=False)
    for (level, rule, message), n in grouped.head(10).items():
        top.add_row(escape(level_label(str(level))), escape(str(rule)), _num(int(n)),
                    escape(str(message)[:90]))
    return [t, rules, top]


def _print_summary(tables: list[Table], outputs: dict[str, Path], seconds: float) -> None:
    """Print the summary tables, the files written and the run time."""
    for table in tables:
        console.print(table)
    where = Table(title="Kết quả đã ghi")
    where.add_column("Tệp")
    where.add_column("Đường dẫn")
    for name, path in sorted(outputs.items()):
        where.add_row(escape(name), escape(str(path)))
    console.print(where)
    console.print(f"Xong trong {seconds:.1f} giây.")


@app.command()
def run(
    round_id: RoundOpt = "demo-2014",
    root: RootOpt = None,
    analyse: Annotated[bool, typer.Option(help="Tính cả chỉ tiêu và ước lượng")] = True,
) -> None:
    """Chạy toàn bộ: đọc, làm sạch, kiểm tra, ghi dữ liệu sạch và chỉ tiêu của một đợt."""
    _guard(lambda: run_pipeline(round_id, root, analyse), "run", round_id, root)


@app.command()
def demo(
    round_id: RoundOpt = "demo-2014",
    seed: Annotated[
        int | None, typer.Option(help="Hạt giống ngẫu nhiên (mặc định: của đợt demo)")
    ] = None,
    root: RootOpt = None,
) -> None:
    """Tạo một đợt khảo sát MÔ PHỎNG (dữ liệu giả, có lỗi cài sẵn) để thử hệ thống."""
    from danvan_survey.config import project_dir
    from danvan_survey.demo import default_seed, generate_round

    base = root or project_dir()
    seed = default_seed(round_id) if seed is None else seed

    def go() -> None:
        from danvan_survey.paths import check_round_id

        counts = generate_round(
            check_round_id(round_id), seed, base / "data" / "raw", base / "tests" / "ground_truth"
        )
        table = Table(title=f"Đợt MÔ PHỎNG {round_id} (seed {seed}) — dữ liệu giả để thử hệ thống")
        table.add_column("Tệp")
        table.add_column("Bản ghi", justify="right")
        for name, info in sorted(counts.get("files", {}).items()):
            table.add_row(escape(name), _num(int(info.get("records", 0))))
        console.print(table)
        console.print(escape(
            f"Dữ liệu thô: {base / 'data' / 'raw' / round_id}; "
            f"đáp án kiểm thử: {base / 'tests' / 'ground_truth' / round_id}"
        ))

    _guard(go, "demo", round_id, root)


@app.command()
def forms(
    round_id: RoundOpt = "demo-2014",
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi biểu mẫu")] = Path("forms-out"),
    root: RootOpt = None,
) -> None:
    """Sinh biểu mẫu thu thập: XLSForm (Kobo/ODK), sổ Excel cho xã, từ điển dữ liệu, phiếu giấy."""
    from danvan_survey.config import load_round
    from danvan_survey.forms import build_forms

    def go() -> None:
        paths = build_forms(load_round(round_id, root), out, progress=_progress)
        console.print(escape(f"Đã ghi {len(paths)} tệp vào {out}"))

    _guard(go, "forms", round_id, root)


@app.command()
def analyse(round_id: RoundOpt = "demo-2014", root: RootOpt = None) -> None:
    """Tính chỉ tiêu, danh sách tổ chức yếu kém và ước lượng từ dữ liệu sạch đã có."""
    from danvan_survey.config import clean_dir, load_round

    def go() -> None:
        out = run_analysis_step(load_round(round_id, root), clean_dir(round_id, root))
        for name, path in sorted(out.items()):
            console.print(escape(f"  {name}: {path}"))

    _guard(go, "analyse", round_id, root)


@app.command()
def report(round_id: RoundOpt = "demo-2014", root: RootOpt = None) -> None:
    """Chạy các sổ tay phân tích và xuất bộ báo cáo cho lãnh đạo (reports/<đợt>/)."""
    from danvan_survey.report import build_report

    def go() -> None:
        paths = build_report(round_id, root, progress=_progress)
        console.print(f"Đã ghi {len(paths)} tệp báo cáo.")

    _guard(go, "report", round_id, root)


@app.command()
def compare(
    base: Annotated[str, typer.Option("--base", help="Đợt gốc (ví dụ demo-2014)")],
    follow: Annotated[str, typer.Option("--follow", help="Đợt sau (ví dụ demo-2026)")],
    root: RootOpt = None,
    charts: Annotated[bool, typer.Option(help="Xuất biểu đồ so sánh (PNG, SVG, PDF)")] = True,
) -> None:
    """So sánh hai đợt: chỉ tiêu trước/sau theo huyện cũ, tổ chức yếu kém đã củng cố chưa."""
    from danvan_survey.compare import compare_dir, compare_rounds, write_comparison

    def go() -> None:
        comp = compare_rounds(base, follow, root)
        out_dir = compare_dir(base, follow, root)
        paths = write_comparison(comp, out_dir)
        if charts:
            from danvan_survey.charts.compare import write_comparison_charts
            from danvan_survey.config import load_round

            paths |= write_comparison_charts(comp, load_round(follow, root), out_dir / "bieu-do")
        counts = comp.summary["transitions"]
        table = Table(title=f"Tổ chức yếu kém: {base} → {follow}"
                      + (" (DỮ LIỆU MÔ PHỎNG)" if comp.summary["synthetic"] else ""))
        table.add_column("Chuyển đổi")
        table.add_column("Số tổ chức", justify="right")
        from danvan_survey.compare import TRANSITION_VI

        for code, label in TRANSITION_VI.items():
            table.add_row(label, _num(int(counts.get(code, 0))))
        console.print(table)
        for row in comp.notes.itertuples(index=False):
            console.print(f"[cyan]•[/] {row.detail_vi}")
        console.print(f"Đã ghi {len(paths)} tệp vào {out_dir}")

    _guard(go)


def main() -> None:  # pragma: no cover - console entry
    """Entry point for ``python -m danvan_survey``."""
    app(sys.argv[1:])
