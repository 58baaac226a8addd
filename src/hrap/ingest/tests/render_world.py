"""Render a marked-up plan (the `world/` corpus) into each format, tables included.

The corpus keeps each document as lightly marked text: `%%` provenance lines, `## ` and
`### ` headings, `**bold**` lines, pipe tables whose cells separate paragraphs with `<br>`,
and everything else as the document prints it. The renderer plays the person who typed the
plan into a text file, Word or a web page; the parser under test sees only the result.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

FORMATS = ["txt", "md", "html", "docx-styles", "docx-plain", "pdf"]


@dataclass
class Item:
    kind: str  # heading, bold, paragraph, bullet, table
    text: str = ""
    level: int = 0
    rows: list[list[str]] | None = None


_BULLET = re.compile(r"^(?:[\uf000-\uf0ff]|•|‒|–|-|▪|o)\s+(\S.*)$")


def items_of(source: Path) -> list[Item]:
    items: list[Item] = []
    for raw in source.read_text(encoding="utf-8").split("\n"):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        if line.startswith("|") and line.endswith("|"):
            cells = [c.strip() for c in line[1:-1].split("|")]
            if items and items[-1].kind == "table" and items[-1].rows is not None:
                items[-1].rows.append(cells)
            else:
                items.append(Item("table", rows=[cells]))
            continue
        heading = re.match(r"^(#{1,4})\s+(.*)$", line)
        bold = re.match(r"^\*\*(.+)\*\*$", line)
        if heading:
            items.append(Item("heading", heading.group(2), len(heading.group(1)) - 1))
        elif bold:
            items.append(Item("bold", bold.group(1)))
        elif _BULLET.match(line):
            items.append(Item("bullet", line))
        else:
            items.append(Item("paragraph", line))
    return items


def paragraphs_of(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"<br\s*/?>", cell) if p.strip()]


def render(source: Path, fmt: str, out_dir: Path) -> Path:
    suffix = ".docx" if fmt.startswith("docx") else "." + fmt
    out = out_dir / f"{source.stem}-{fmt}{suffix}"
    items = items_of(source)
    if fmt == "txt":
        out.write_text(_text(items, markdown=False), encoding="utf-8")
    elif fmt == "md":
        out.write_text(_text(items, markdown=True), encoding="utf-8")
    elif fmt == "html":
        out.write_text(_html(items), encoding="utf-8")
    elif fmt.startswith("docx"):
        _docx(items, out, styles=fmt == "docx-styles")
    elif fmt == "pdf":
        _pdf(items, out)
    else:
        raise ValueError(fmt)
    return out


def _text(items: list[Item], *, markdown: bool) -> str:
    out: list[str] = []
    for item in items:
        if item.kind == "table" and item.rows:
            for index, row in enumerate(item.rows):
                out.append("| " + " | ".join(row) + " |")
                if markdown and index == 0:
                    out.append("|" + "---|" * len(row))
        elif item.kind == "heading":
            out.append(("#" * (item.level + 1) + " " if markdown else "") + item.text)
        elif item.kind == "bold":
            out.append(f"**{item.text}**" if markdown else item.text)
        elif item.kind == "bullet" and markdown:
            out.append("- " + _BULLET.match(item.text).group(1))  # type: ignore[union-attr]
        else:
            out.append(item.text)
        out.append("")
    return "\n".join(out)


def _html(items: list[Item]) -> str:
    body: list[str] = []
    in_list = False
    for item in items:
        if item.kind == "bullet":
            if not in_list:
                body.append("<ul>")
                in_list = True
            text = _BULLET.match(item.text).group(1)  # type: ignore[union-attr]
            body.append(f"<li>{html.escape(text)}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if item.kind == "table" and item.rows:
            body.append("<table>")
            for row in item.rows:
                cells = "".join(
                    "<td>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs_of(c)) + "</td>"
                    for c in row
                )
                body.append(f"<tr>{cells}</tr>")
            body.append("</table>")
        elif item.kind == "heading":
            tag = f"h{min(item.level + 1, 6)}"
            body.append(f"<{tag}>{html.escape(item.text)}</{tag}>")
        elif item.kind == "bold":
            body.append(f"<p><b>{html.escape(item.text)}</b></p>")
        else:
            body.append(f"<p>{html.escape(item.text)}</p>")
    if in_list:
        body.append("</ul>")
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Plan</title></head><body>\n'
        + "\n".join(body)
        + "\n</body></html>"
    )


def _docx(items: list[Item], out: Path, *, styles: bool) -> None:
    import docx

    document = docx.Document()
    for item in items:
        if item.kind == "table" and item.rows:
            width = max(len(r) for r in item.rows)
            table = document.add_table(rows=0, cols=width)
            table.style = "Table Grid"
            for row in item.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=False):
                    paragraphs = paragraphs_of(text)
                    cell.paragraphs[0].text = paragraphs[0] if paragraphs else ""
                    for extra in paragraphs[1:]:
                        cell.add_paragraph(extra)
        elif item.kind == "heading" and styles:
            document.add_paragraph(item.text, style=f"Heading {item.level}")
        elif item.kind in ("heading", "bold"):
            document.add_paragraph().add_run(item.text).bold = True
        elif item.kind == "bullet":
            text = _BULLET.match(item.text).group(1)  # type: ignore[union-attr]
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(item.text)
    document.save(str(out))


def _pdf(items: list[Item], out: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(out), pagesize=A4)
    width, height = A4
    top, bottom, step, left = height - 70, 60, 13, 60
    state = {"y": top, "page": 1}

    def furniture() -> None:
        page.setFont("Helvetica", 8)
        page.drawString(left, height - 40, "Rendered for testing")
        page.drawCentredString(width / 2, 30, str(state["page"]))

    def room(lines: int) -> None:
        if state["y"] - lines * step < bottom:
            page.showPage()
            state["page"] += 1
            state["y"] = top
            furniture()

    def draw(text: str, font: str, size: float, x: float = left, chars: int = 100) -> None:
        for piece in textwrap.wrap(text, chars) or [""]:
            room(1)
            page.setFont(_font(piece, font), size)
            page.drawString(x, state["y"], piece)
            state["y"] -= step

    furniture()
    for item in items:
        if item.kind == "table" and item.rows:
            columns = max(len(r) for r in item.rows)
            share = [0.7, 0.3] if columns == 2 else [1 / columns] * columns
            xs = [left + sum(share[:i]) * (width - 2 * left) for i in range(columns)]
            for row in item.rows:
                wrapped = [
                    [
                        line
                        for p in paragraphs_of(cell)
                        for line in textwrap.wrap(p, int(share[i] * 100) - 3) or [""]
                    ]
                    for i, cell in enumerate(row)
                ]
                for n in range(max(len(w) for w in wrapped)):
                    room(1)
                    for i, lines in enumerate(wrapped):
                        if n < len(lines):
                            page.setFont(_font(lines[n], "Helvetica"), 9)
                            page.drawString(xs[i], state["y"], lines[n])
                    state["y"] -= step
                state["y"] -= 4
        elif item.kind == "heading":
            state["y"] -= 6
            draw(item.text, "Helvetica-Bold", 13 if item.level <= 1 else 11, chars=80)
        elif item.kind == "bold":
            draw(item.text, "Helvetica-Bold", 10)
        elif item.kind == "bullet":
            text = _BULLET.match(item.text).group(1)  # type: ignore[union-attr]
            draw("• " + text, "Helvetica", 10, x=left + 12)
        elif re.search(r"\.{6,}", item.text):
            # a contents entry keeps its leader and page number on one line
            title, page_number = re.split(r"\s*\.{6,}\s*", item.text, maxsplit=1)
            leader = "." * max(4, 96 - len(title) - len(page_number))
            draw(f"{title[:86]} {leader} {page_number}", "Helvetica", 10, chars=200)
        else:
            draw(item.text, "Helvetica", 10)
        state["y"] -= 4
    page.showPage()
    page.save()


def _font(text: str, font: str) -> str:
    """Helvetica has no glyphs beyond Latin-1 (and a few), the CID font has them."""
    return "STSong-Light" if re.search(r"[^\x00-\xff•’‘“”–—…]", text) else font
