"""The process flowchart (流程图) of a matter, drawn as accessible SVG.

The independent-approval path (one approver accepts, reviews and decides) is drawn
on the left; where the matter records it, the former multi-step path with its
days is drawn beside it, so the difference can be seen at a glance.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape
from zhangdian.approval import _
from zope.i18n import translate

import re


FONT_SIZE = 14
LINE_HEIGHT = 20
COLUMN_WIDTH = 320
COLUMN_GAP = 60
MARGIN = 20
BOX_PADDING = 10
ARROW = 34
HEADER_HEIGHT = 64

NO_LINE_START = set("，。、；：！？）》」』】")

INDEPENDENT_COLOUR = "#0b6e4f"
FORMER_COLOUR = "#6b6b6b"


@dataclass
class Node:
    """One box of a path: its lines of text and whether it starts or ends the path."""

    lines: list
    terminal: bool = False


@dataclass
class Path:
    """A column of the flowchart."""

    heading: str
    summary: str
    nodes: list
    colour: str


def _days_text(days, request):
    if days is None:
        return ""
    if days == 0:
        return translate(_("flowchart_on_the_spot", default="on the spot"), context=request)
    return translate(
        _("flowchart_days", default="${days} working days", mapping={"days": days}),
        context=request,
    )


def _step_nodes(steps, request):
    """Boxes for a sequence of steps, between a start and an end box."""
    start = translate(
        _("flowchart_apply", default="Applicant submits the application"), context=request
    )
    end = translate(_("flowchart_done", default="Decision delivered"), context=request)
    nodes = [Node([start], True)]
    for step in steps:
        detail = " · ".join(
            part
            for part in (step.get("actor") or "", _days_text(step.get("days"), request))
            if part
        )
        nodes.append(Node([step["step"], detail] if detail else [step["step"]]))
    nodes.append(Node([end], True))
    return nodes


def build_paths(matter, request):
    """Return the independent path and, if recorded, the former path of a matter."""

    def t(message):
        return translate(message, context=request)

    steps = matter.process_steps or [
        {
            "step": t(_("flowchart_default_step", default="Accept, review and decide")),
            "actor": t(_("flowchart_independent_approver", default="Independent approver")),
            "days": matter.promised_days,
        }
    ]
    if matter.independent_approval:
        heading = _(
            "flowchart_independent_heading",
            default="Independent approval: one approver accepts, reviews and decides",
        )
    else:
        heading = _(
            "flowchart_regular_heading",
            default="Regular process: several people accept, review and decide",
        )
    paths = [
        Path(
            heading=t(heading),
            summary=t(
                _(
                    "flowchart_independent_summary",
                    default="Promised: ${promised} (statutory: ${statutory})",
                    mapping={
                        "promised": _days_text(matter.promised_days, request),
                        "statutory": _days_text(matter.statutory_days, request),
                    },
                )
            ),
            nodes=_step_nodes(steps, request),
            colour=INDEPENDENT_COLOUR if matter.independent_approval else FORMER_COLOUR,
        )
    ]
    if matter.former_steps and matter.independent_approval:
        total = sum(step.get("days") or 0 for step in matter.former_steps)
        paths.append(
            Path(
                heading=t(_("flowchart_former_heading", default="Former process (several people)")),
                summary=t(
                    _(
                        "flowchart_former_summary",
                        default="${steps} steps, ${days} in total",
                        mapping={
                            "steps": len(matter.former_steps),
                            "days": _days_text(total, request),
                        },
                    )
                ),
                nodes=_step_nodes(matter.former_steps, request),
                colour=FORMER_COLOUR,
            )
        )
    return paths


def _text_width(text):
    return sum(FONT_SIZE if ord(char) > 0x2E80 else FONT_SIZE * 0.6 for char in text)


def _tokens(text):
    """Split into wrap units: each CJK character alone, latin words with their space."""
    return re.findall(r"[\u2e80-\U0002ffff]|[^\s\u2e80-\U0002ffff]+\s*|\s+", text)


def _wrap(text, width):
    lines, current = [], ""
    for token in _tokens(text):
        # Closing punctuation never starts a line (禁则), so it may overhang slightly.
        too_wide = _text_width(current + token.rstrip()) > width
        if current and too_wide and token not in NO_LINE_START:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _node_lines(node):
    inner = COLUMN_WIDTH - 2 * BOX_PADDING
    wrapped = []
    for line in node.lines:
        wrapped.extend(_wrap(line, inner))
    return wrapped


def _column(path, x, heading_lines):
    parts = []
    y = MARGIN
    for index, line in enumerate(_wrap(path.heading, COLUMN_WIDTH)):
        parts.append(
            f'<text x="{x + COLUMN_WIDTH / 2}" y="{y + FONT_SIZE + index * LINE_HEIGHT}" '
            f'text-anchor="middle" font-weight="bold" fill="{path.colour}">{escape(line)}</text>'
        )
    parts.append(
        f'<text x="{x + COLUMN_WIDTH / 2}" y="{y + FONT_SIZE + heading_lines * LINE_HEIGHT}" '
        f'text-anchor="middle" fill="#333">{escape(path.summary)}</text>'
    )
    y += HEADER_HEIGHT + (heading_lines - 1) * LINE_HEIGHT
    for index, node in enumerate(path.nodes):
        lines = _node_lines(node)
        height = len(lines) * LINE_HEIGHT + 2 * BOX_PADDING
        radius = height / 2 if node.terminal else 6
        fill = "#ffffff" if node.terminal else path.colour
        ink = path.colour if node.terminal else "#ffffff"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{COLUMN_WIDTH}" height="{height}" rx="{radius}" '
            f'fill="{fill}" stroke="{path.colour}" stroke-width="2"/>'
        )
        for number, line in enumerate(lines):
            parts.append(
                f'<text x="{x + COLUMN_WIDTH / 2}" '
                f'y="{y + BOX_PADDING + FONT_SIZE + number * LINE_HEIGHT}" '
                f'text-anchor="middle" fill="{ink}">{escape(line)}</text>'
            )
        y += height
        if index < len(path.nodes) - 1:
            middle = x + COLUMN_WIDTH / 2
            parts.append(
                f'<line x1="{middle}" y1="{y}" x2="{middle}" y2="{y + ARROW - 4}" '
                f'stroke="{path.colour}" stroke-width="2" marker-end="url(#arrow)"/>'
            )
            y += ARROW
    return parts, y + MARGIN


def render_svg(matter, request):
    """Return the flowchart of a matter as a standalone SVG document (str)."""
    paths = build_paths(matter, request)
    title = translate(
        _(
            "flowchart_title",
            default="Process flowchart: ${matter}",
            mapping={"matter": matter.title},
        ),
        context=request,
    )
    body, height = [], 0
    # Columns share one heading height so their first boxes line up.
    heading_lines = max(len(_wrap(path.heading, COLUMN_WIDTH)) for path in paths)
    for index, path in enumerate(paths):
        x = MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP)
        parts, column_height = _column(path, x, heading_lines)
        body.extend(parts)
        height = max(height, column_height)
    width = 2 * MARGIN + len(paths) * COLUMN_WIDTH + (len(paths) - 1) * COLUMN_GAP
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="flowchart-title flowchart-desc" '
        f"font-family=\"'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif\" "
        f'font-size="{FONT_SIZE}">'
        f'<title id="flowchart-title">{escape(title)}</title>'
        f'<desc id="flowchart-desc">{escape(describe(paths))}</desc>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="context-stroke"/></marker></defs>'
        '<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(body) + "</svg>\n"
    )


def describe(paths):
    """A plain-text description of the flowchart: the text alternative of the SVG."""
    sentences = []
    for path in paths:
        steps = " → ".join(" ".join(node.lines) for node in path.nodes)
        sentences.append(f"{path.heading}（{path.summary}）：{steps}。")
    return " ".join(sentences)
