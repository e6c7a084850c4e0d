"""The contract's observation definitions as Markdown: what `botsdk contract doc` prints and docs/contract.md embeds."""

from __future__ import annotations

from botsdk.contract.model import BehaviourContract, ElementTransform, ObservationBlock, ObservationElement


def _num(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:g}"


def formula(transform: ElementTransform) -> str:
    """The transform as one expression of `x`, the source quantity."""
    t = transform
    if t.encoding == "linear":
        body = "x" if t.offset in (0.0, "") else f"(x - {_num(t.offset)})"
        body = body if t.scale == 1.0 else f"{body} / {_num(t.scale)}"
    elif t.encoding in ("sin", "cos"):
        body = f"{t.encoding}(x)"
    elif t.encoding == "flag":
        body = "1 if x else 0"
    else:
        body = f"1 if x == {t.category!r} else 0"
    if t.clip is not None:
        body = f"clip({body}, {_num(t.clip[0])}, {_num(t.clip[1])})"
    return body


def _row(index: str, element: ObservationElement) -> str:
    absent = "" if element.transform.absent is None else _num(element.transform.absent)
    low, high = element.range
    return (f"| {index} | `{element.name}` | {element.unit} | [{_num(low)}, {_num(high)}] "
            f"| `{formula(element.transform)}` | {absent} | {element.description} |")


def block_markdown(block: ObservationBlock, start: int) -> list[str]:
    width = len(block.elements)
    repeat = f", repeated {block.repeat} times (element `k` of repeat `r` sits at {start} + {width}·r + k)" \
        if block.repeat > 1 else ""
    lines = [f"#### `{block.name}`: floats {start}..{start + block.size - 1} of a frame{repeat}", "",
             "| # | element | unit of x | range | value | absent | meaning |", "|---|---|---|---|---|---|---|"]
    for k, element in enumerate(block.elements):
        lines.append(_row(str(start + k) if block.repeat == 1 else f"+{k}", element))
    return lines


def elements_markdown(contract: BehaviourContract) -> str:
    """Every observation element, the quantities transforms name, and the frame-stack rule."""
    lines = [f"Contract `{contract.name}` {contract.version}: one frame is {contract.frame_size} floats; the model "
             f"sees {contract.frame_stack} frame(s), oldest first ({contract.observation_size} floats). At an "
             f"episode's first decision every frame slot holds that first frame (`frame_fill: {contract.frame_fill}`)"
             f"; afterwards the frames shift by one each decision.", ""]
    start = 0
    for block in contract.observation:
        if block.elements:
            lines += block_markdown(block, start) + [""]
        else:
            lines += [f"#### `{block.name}`: floats {start}..{start + block.size - 1} (no element definitions)", ""]
        start += block.size
    if contract.quantities:
        lines += ["| quantity | definition |", "|---|---|"]
        lines += [f"| `{name}` | {definition} |" for name, definition in contract.quantities]
        lines.append("")
    return "\n".join(lines)
