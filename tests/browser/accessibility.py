"""Accessibility measured: axe-core's WCAG 2.1 A/AA rules over a page, and the keyboard focus a user must see.

axe-core comes inside the axe-playwright-python wheel (axe.min.js, injected into the page): no network, no CDN.
Every page audited in a session is kept in AUDITS; the browser tests' conftest prints them as a table."""

from __future__ import annotations

import time
from dataclasses import dataclass

from axe_playwright_python.base import AXE_SCRIPT

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = ("critical", "serious")

@dataclass(frozen=True)
class Audit:
    page: str  # e.g. "officer en 1366 dashboard"
    counts: dict[str, int]  # impact -> number of violated rules
    blocking: tuple[str, ...]  # "rule-id (impact) on <page> at <selector>" of each serious or critical violation
    seconds: float


AUDITS: list[Audit] = []


def audit(page, name: str) -> Audit:
    """Run axe's WCAG 2.1 A/AA rules on the page as it is now; remember and return the result."""
    started = time.perf_counter()
    if not page.evaluate("() => typeof window.axe === 'object'"):  # once per page load, not once per width
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(document, options).then(results => results.violations)",
                               {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]})
    counts = {impact: sum(v["impact"] == impact for v in violations) for impact in IMPACTS}
    blocking = tuple(f"{v['id']} ({v['impact']}) on {name} [{page.url}] at {', '.join(map(str, node['target']))}: "
                     + "; ".join(check["message"] for check in node["any"] + node["all"] + node["none"])
                     for v in violations if v["impact"] in BLOCKING for node in v["nodes"])
    result = Audit(name, counts, blocking, time.perf_counter() - started)
    AUDITS.append(result)
    return result


DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def audit_widths(page, name: str, phone: bool = True) -> list[Audit]:
    """Audit the page at desktop width and, if phone, again at phone width (the same page, relaid out), back to
    desktop."""
    page.set_viewport_size(DESKTOP)
    audits = [audit(page, f"{name} 1366")]
    if not phone:
        return audits
    page.set_viewport_size(PHONE)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")  # resize ran
    audits.append(audit(page, f"{name} 390"))
    page.set_viewport_size(DESKTOP)
    return audits


def blocking_violations(audits: list[Audit]) -> str:
    """The serious and critical violations of the audits, one a line (empty when there is none)."""
    return "\n".join(line for a in audits for line in a.blocking)


def audit_table() -> list[str]:
    """Lines of a per-page table of violation counts by impact, and the time axe took."""
    if not AUDITS:
        return []
    width = max(len(a.page) for a in AUDITS)
    lines = [f"{'page':<{width}}  " + "  ".join(f"{i:>8}" for i in IMPACTS) + "  axe time"]
    lines += [f"{a.page:<{width}}  " + "  ".join(f"{a.counts[i]:>8}" for i in IMPACTS) + f"  {a.seconds:>7.1f}s"
              for a in AUDITS]
    total = sum(a.seconds for a in AUDITS)
    lines.append(f"{len(AUDITS)} pages audited in {total:.1f} s; serious or critical violations on "
                 f"{sum(bool(a.blocking) for a in AUDITS)} of them")
    return lines


@dataclass(frozen=True)
class TabStop:
    element: str  # e.g. 'input#username' or 'a "修改密码"'
    ring: str  # its focus outline, e.g. '3px solid rgb(10, 88, 202)'; '' when there is no plain one


_TAB_STOP = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "outside";  // past the last control: the next Tab starts at the top
    if (el.hasAttribute("data-tab-stop")) return el === window.lastTabStop ? "inside" : "again";
    el.setAttribute("data-tab-stop", "");
    window.lastTabStop = el;
    const style = getComputedStyle(el), width = parseFloat(style.outlineWidth);
    const plain = !["none", "auto"].includes(style.outlineStyle) && width >= 2 && !style.outlineColor.endsWith(", 0)");
    const name = (el.id ? "#" + el.id : "") + ' "' + (el.innerText || el.value || el.name || "").trim().slice(0, 30) + '"';
    return {element: el.tagName.toLowerCase() + name,
            ring: plain ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : ""};
}"""

# What a keyboard user must reach: every visible control (not in a closed <details>) that is not disabled and not
# taken out of the tab order (radios count once per group: the arrow keys move inside it).
_UNREACHED = """() => [...document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])")]
    .filter(el => !el.disabled && el.getAttribute("tabindex") !== "-1"
                  && el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}))
    .filter(el => !el.hasAttribute("data-tab-stop") && !(el.type === "radio" && document.querySelector(
        `input[type=radio][name="${el.name}"][data-tab-stop]`)))
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ' "' + (el.innerText || el.name || "").trim()
         .slice(0, 30) + '"')"""


def tab_through(page, limit: int = 300) -> tuple[list[TabStop], list[str]]:
    """Press Tab until focus comes round to a control it already stopped at (wherever the page put focus first):
    the stops, each with its focus ring, and the visible controls Tab never reached. Tab moves inside a date field
    (year, month, day) before it leaves it: that is one stop."""
    stops, outside = [], 0
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(_TAB_STOP)
        if stop == "again" or (stop == "outside" and (outside := outside + 1) > 1):
            break
        if isinstance(stop, dict):
            stops.append(TabStop(**stop))
    return stops, page.evaluate(_UNREACHED)
