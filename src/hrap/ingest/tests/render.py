"""Render a plain-text plan document into every format the ingester reads, for the tests.

The renderer knows the layout of the corpus's text files (it plays the part of the person who
typed the plan into Word or a web page); the parser under test does not see any of this.
"""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

PART = re.compile(r"^(?:([IVX]+)\.\s+|([一二三四五六七八九十]+)、)(.*)$")
SECTION = re.compile(
    r"^(?:(\d{1,2})\.\s+|[(（](\d{1,2})[)）]\s*|[(（]([一二三四五六七八九十]+)[)）])(.*)$"
)
BULLET = re.compile(r"^(?:——|--|-|・)\s*(.*)$")
INTRO = re.compile(r"^(导言|導言)$")

FORMATS = ["txt", "md", "html", "docx-styles", "docx-plain", "docx-numbering", "pdf"]


def formats_for(source: Path) -> list[str]:
    """Word list numbering counts from one, so it renders only documents that do (not excerpts)."""
    text = source.read_text(encoding="utf-8")
    complete = re.search(r"^(I\.|一、)", text, re.MULTILINE) is not None
    return (
        FORMATS
        if complete and "compiled" in source.name
        else [f for f in FORMATS if f != "docx-numbering"]
    )


def lines_of(source: Path, *, metadata: bool) -> list[str]:
    """The document's lines; the corpus's '# source:' notes are not part of the document."""
    lines = source.read_text(encoding="utf-8").splitlines()
    if not metadata:
        lines = [ln for ln in lines if not ln.startswith("# ")]
    return lines


def _kind(line: str) -> str:
    if INTRO.match(line) or PART.match(line):
        return "part"
    if SECTION.match(line):
        return "section"
    if BULLET.match(line):
        return "bullet"
    return "paragraph"


def render(source: Path, fmt: str, out_dir: Path) -> Path:
    out = out_dir / f"{source.stem}-{fmt}{'.docx' if fmt.startswith('docx') else '.' + fmt}"
    if fmt == "txt":
        out.write_bytes(source.read_bytes())
    elif fmt == "md":
        out.write_text(_markdown(lines_of(source, metadata=False)), encoding="utf-8")
    elif fmt == "html":
        out.write_text(_html(lines_of(source, metadata=False)), encoding="utf-8")
    elif fmt.startswith("docx"):
        _docx(lines_of(source, metadata=False), out, fmt.split("-")[1])
    elif fmt == "pdf":
        _pdf(lines_of(source, metadata=False), out)
    else:
        raise ValueError(fmt)
    return out


def _markdown(lines: list[str]) -> str:
    out = []
    for line in lines:
        kind = _kind(line.strip())
        if kind == "part":
            out += [f"## {line.strip()}", ""]
        elif kind == "section":
            out += [f"### {line.strip()}", ""]
        elif kind == "bullet":
            out += [f"- {BULLET.match(line.strip()).group(1)}", ""]  # type: ignore[union-attr]
        elif line.strip():
            out += [f"**{line.strip()}**" if len(line) < 60 and not out else line.strip(), ""]
    return "\n".join(out)


def _html(lines: list[str]) -> str:
    body = []
    in_list = False
    for line in lines:
        line = line.strip()
        if not line:
            continue
        kind = _kind(line)
        if kind == "bullet":
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{html.escape(BULLET.match(line).group(1))}</li>")  # type: ignore[union-attr]
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        tag = {"part": "h2", "section": "h3"}.get(kind, "p")
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
    if in_list:
        body.append("</ul>")
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Plan</title>'
        "<style>p{margin:0}</style><script>var x = '1. not a heading';</script></head>"
        "<body><nav><a href='/'>Home</a></nav>\n" + "\n".join(body) + "\n</body></html>"
    )


def _numbering_xml(chinese: bool) -> tuple[str, str]:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    part_fmt, part_text = ("chineseCounting", "%1、") if chinese else ("upperRoman", "%1.")
    section_fmt, section_text = ("chineseCounting", "（%2）") if chinese else ("decimal", "%2.")
    abstract = (
        f'<w:abstractNum {ns} w:abstractNumId="90">'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{part_fmt}"/>'
        f'<w:lvlText w:val="{part_text}"/></w:lvl>'
        f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="{section_fmt}"/>'
        f'<w:lvlText w:val="{section_text}"/></w:lvl></w:abstractNum>'
    )
    num = f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
    return abstract, num


def _docx(lines: list[str], out: Path, mode: str) -> None:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    chinese = any(re.search(r"[\u4e00-\u9fff]", ln) for ln in lines[:5])
    if mode == "numbering":
        numbering = document.part.numbering_part.element
        abstract, num = _numbering_xml(chinese)
        numbering.insert(0, parse_xml(abstract))
        numbering.append(parse_xml(num))
    for line in lines:
        line = line.strip()
        if not line:
            continue
        kind = _kind(line)
        text, level = line, None
        if kind == "part" and not INTRO.match(line):
            level = 0
            text = PART.match(line).group(3)  # type: ignore[union-attr]
        elif kind == "section":
            level = 1
            text = SECTION.match(line).group(4)  # type: ignore[union-attr]
        if mode == "styles" and kind in ("part", "section"):
            paragraph = document.add_paragraph(
                line, style="Heading 1" if kind == "part" else "Heading 2"
            )
        elif mode == "numbering" and level is not None:
            paragraph = document.add_paragraph(text)
            ppr = paragraph._p.get_or_add_pPr()
            ppr.append(
                parse_xml(
                    '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
                )
            )
        else:
            document.add_paragraph(line)
    document.save(str(out))


def _pdf(lines: list[str], out: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    chinese = any(re.search(r"[\u4e00-\u9fff]", ln) for ln in lines[:5])
    # The CID font also has the Latin letters, and the bullets (・) that Helvetica lacks.
    wide = chinese or any(re.search(r"[^\x00-\xff]", ln) for ln in lines)
    font = "STSong-Light" if wide else "Helvetica"
    page = canvas.Canvas(str(out), pagesize=A4)
    width, height = A4
    top, bottom, step = height - 70, 60, 14
    y = top
    page_number = 1

    def furniture() -> None:
        page.setFont(font, 8)
        page.drawString(72, height - 40, "National Human Rights Action Plan — rendered for testing")
        page.drawCentredString(width / 2, 30, f"- {page_number} -")
        page.setFont(font, 10)

    furniture()
    for line in lines:
        wrapped = textwrap.wrap(line.strip(), 38 if chinese else 95) or [""]
        for piece in wrapped:
            if y < bottom:
                page.showPage()
                page_number += 1
                y = top
                furniture()
            page.drawString(72, y, piece)
            y -= step
    page.showPage()
    page.save()
