"""How long one 入库证书 takes: Chinese text against the same page in Latin text, side by side in one run.

Both pages come from the same template and stylesheets: the Latin page is the Chinese HTML with every CJK
character replaced by two Latin letters, so layout, QR code, seal and border are the same work. Goal (issue 9):
Chinese ≤ 2 × Latin in CPU time with the production fonts (the other font set-ups are printed for comparison).
Times are medians of interleaved rounds, in CPU seconds of this process (robust when other jobs share the machine)
and in wall-clock seconds.

    python bench/bench_certificate.py [--rounds 21] [--batch 500]

Exits 1 when a production ratio is over the goal.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Goals, interleaved_medians  # noqa: E402
from config import TestConfig  # noqa: E402
from pipeline import create_app  # noqa: E402
from pipeline.certificates.documents import make_certificate_document  # noqa: E402
from pipeline.pdf import html_to_pdf, render_html, render_pdf, static_root  # noqa: E402
from pipeline.pdf_fonts import SUPPLEMENT_PATH  # noqa: E402

GOAL = 2.0
COMMON_RARE = "新昌喆垚犇燊堃昇鑫珺玥精密轴承有限公司"  # rare in names, but in WenQuanYi Micro Hei
EXTENSION_A = "新昌喆垚犇燊堃昇鑫珺玥䶮㮾精密轴承有限公司"  # 䶮 㮾: CJK Extension A, from the supplement / Noto
CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
FONTS = {
    "production": (),
    "no supplement (WenQuanYi, then system Noto Sans CJK SC)":
        ('html, svg text { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif !important; }',),
    "Noto Sans CJK SC only (CFF)": ('html, svg text { font-family: "Noto Sans CJK SC", sans-serif !important; }',),
}


def sample_document(name: str = EXTENSION_A, index: int = 1):
    return make_certificate_document(
        firm_name=name, credit_code="91330624MA2D8XYZ3K", track_name="科技型中小企业", number=f"科小-2026-{index:04d}",
        year=2026, issued_on=date(2026, 11, 28), reissued_on=None, authority="新昌县科学技术局",
        verification_code="K7M2QX9RTD4HWP6VNB3C", external_url="https://kjj.xinchang.gov.cn/pipeline")


def latinize(html: str) -> str:
    return CJK.sub("Mw", html)


def measure(cases: dict[str, tuple[str, tuple[str, ...]]], rounds: int) -> dict[str, tuple[float, float]]:
    """Median (CPU, wall) seconds per case: rounds interleave the cases so that noise hits them alike, CPU and wall
    time in two runs of `rounds` (the first warms up font maps and caches)."""
    calls = {name: partial(html_to_pdf, html, extra_css=css) for name, (html, css) in cases.items()}
    cpu = interleaved_medians(calls, rounds, clock=time.process_time)
    wall = interleaved_medians(calls, rounds)
    return {name: (cpu[name], wall[name]) for name in cases}


def batch(count: int) -> float:
    start = time.perf_counter()
    for index in range(1, count + 1):
        render_pdf("pdf/certificate.html", sample_document(f"新昌{index}号喆垚犇燊堃䶮㮾精密轴承有限公司", index))
    return time.perf_counter() - start


def report(results: dict[str, tuple[float, float]], latin: str) -> float:
    base_cpu, base_wall = results[latin]
    worst = 0.0
    for name, (cpu, wall) in results.items():
        ratio = cpu / base_cpu
        if name != latin:
            worst = max(worst, ratio) if name.startswith("production") else worst
        print(f"  {name:<58} {cpu * 1000:6.1f} ms CPU {wall * 1000:6.1f} ms wall   ×{ratio:4.2f} "
              f"(wall ×{wall / base_wall:4.2f})")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--batch", type=int, default=0, help="also render this many different certificates")
    args = parser.parse_args()
    app = create_app(TestConfig(env={"TEST_DATABASE_URL": "sqlite://"}))
    with app.app_context():
        if not (static_root() / SUPPLEMENT_PATH).is_file():
            print("note: the supplement font is not built (`flask pdf build-fonts`); production = no supplement")
        common = render_html("pdf/certificate.html", sample_document(COMMON_RARE))
        extension_a = render_html("pdf/certificate.html", sample_document(EXTENSION_A))
        latin = "Latin text, same page"
        cases = {latin: (latinize(extension_a), ())}
        for fonts, css in FONTS.items():
            cases[f"{fonts}: 喆垚犇燊堃昇鑫珺玥"] = (common, css)
            cases[f"{fonts}: with Extension A 䶮㮾"] = (extension_a, css)
        print(f"入库证书, one A4 page, median of {args.rounds} rounds (ratio against the Latin page; goal ≤ {GOAL:g}×)")
        worst = report(measure(cases, args.rounds), latin)
        goals = Goals()
        print(f"production worst ratio: {worst:.2f} (goal ≤ {GOAL:g}: {goals.check(worst <= GOAL)})")
        if args.batch:
            seconds = batch(args.batch)
            print(f"batch: {args.batch} different certificates (template + PDF) in {seconds:.1f} s "
                  f"({seconds / args.batch * 1000:.0f} ms each)")
    return goals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
