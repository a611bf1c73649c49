"""Edge cases in files made here: two columns, hyphenation, a table, a scan, encryption, damage."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qa.ingest import Unreadable, extract

fpdf = pytest.importorskip("fpdf")


def _pdf(tmp_path, name: str, build) -> "Path":
    pdf = fpdf.FPDF()
    pdf.set_font("helvetica", size=11)
    build(pdf)
    path = tmp_path / name
    pdf.output(str(path))
    return path


def test_two_columns_read_column_by_column(tmp_path):
    def build(pdf):
        pdf.add_page()
        with pdf.text_columns(ncols=2, gutter=10) as cols:
            cols.write("LEFTSTART " + "The left column tells of rivers and hills. " * 25 + "LEFTEND ")
            cols.new_column()
            cols.write("RIGHTSTART " + "The right column tells of ships at sea. " * 25 + "RIGHTEND")

    text = extract(_pdf(tmp_path, "cols.pdf", build)).text
    assert text.index("LEFTSTART") < text.index("LEFTEND") < text.index("RIGHTSTART") < text.index("RIGHTEND")


def test_line_end_hyphenation_is_joined_and_pages_are_counted(tmp_path):
    def build(pdf):
        pdf.add_page()
        pdf.multi_cell(0, 6, "The method is ef-\nficient and the dual-\nencoder works.\nA dual-encoder again.")
        pdf.add_page()
        pdf.multi_cell(0, 6, "Second page text.")

    x = extract(_pdf(tmp_path, "hyph.pdf", build))
    assert "efficient" in x.text and "dual-encoder works" in x.text
    assert len(x.pages) == 2 and x.text[x.pages[1]:].strip() == "Second page text."


def test_table_rows_are_read_as_text(tmp_path):
    def build(pdf):
        pdf.add_page()
        with pdf.table() as table:
            for row in (("Metal", "Melting point"), ("Tin", "232 C"), ("Lead", "327 C")):
                r = table.row()
                for cell in row:
                    r.cell(cell)

    text = extract(_pdf(tmp_path, "table.pdf", build)).text
    assert "Tin" in text and "232 C" in text and text.index("Tin") < text.index("Lead")


def test_image_only_page_is_a_scan(tmp_path):
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("L", (200, 100), 255).save(image)

    def build(pdf):
        pdf.add_page()
        pdf.image(str(image), x=10, y=10, w=100)

    with pytest.raises(Unreadable, match="scanned PDF"):
        extract(_pdf(tmp_path, "scan.pdf", build))


def test_encryption_with_and_without_a_user_password(tmp_path):
    def locked(pdf):
        pdf.set_encryption(owner_password="owner", user_password="1234")
        pdf.add_page()
        pdf.cell(0, 10, "Secret text.")

    def owner_only(pdf):
        pdf.set_encryption(owner_password="owner")
        pdf.add_page()
        pdf.cell(0, 10, "Readable text.")

    with pytest.raises(Unreadable, match="encrypted PDF: it needs a password"):
        extract(_pdf(tmp_path, "locked.pdf", locked))
    assert "Readable text." in extract(_pdf(tmp_path, "open.pdf", owner_only)).text


def test_damaged_truncated_and_empty_files_are_refused(tmp_path):
    def build(pdf):
        pdf.add_page()
        pdf.cell(0, 10, "Some text.")

    whole = _pdf(tmp_path, "whole.pdf", build).read_bytes()
    cases = {
        "truncated.pdf": whole[: len(whole) // 3],
        "garbage.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 4,
        "header-only.pdf": b"%PDF-1.4\n%%EOF\n",
        "empty.pdf": b"",
        "broken.docx": b"PK\x03\x04 not really a zip",
        "scripts.html": b"<html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>",
        "blank.md": b"   \n\n",
        "latin1.txt": "caf\u00e9".encode("latin-1"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(Unreadable):
            extract(tmp_path / name)


def test_zero_page_pdf(tmp_path):
    from pypdf import PdfWriter

    buf = io.BytesIO()
    PdfWriter().write(buf)
    (tmp_path / "zero.pdf").write_bytes(buf.getvalue())
    with pytest.raises(Unreadable, match="no pages"):
        extract(tmp_path / "zero.pdf")


def test_docx_paragraphs_headings_and_tables(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("Report", level=1)
    d.add_paragraph("The survey covered 40 towns.")
    d.add_heading("Results", level=2)
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Town", "Wells"
    table.cell(1, 0).text, table.cell(1, 1).text = "Ashby", "12"
    d.add_paragraph("Wells were counted by hand.")
    d.save(tmp_path / "r.docx")
    x = extract(tmp_path / "r.docx")
    assert x.text == "Report\n\nThe survey covered 40 towns.\n\nResults\n\nTown | Wells\n\nAshby | 12\n\nWells were counted by hand."
    assert x.sections == [(0, "Report"), (x.text.index("Results"), "Report › Results")]


def test_markdown_keeps_words_and_drops_markup(tmp_path):
    (tmp_path / "n.md").write_text(
        "# Guide\n\nSome **bold** and [a link](http://x.example) and `code`.\n\n## Setup\n\n"
        "| Tool | Version |\n|---|---|\n| pip | 24 |\n\n```bash\npip install qa\n```\n", encoding="utf-8")
    x = extract(tmp_path / "n.md")
    assert x.text == ("Guide\n\nSome bold and a link and code.\n\nSetup\n\nTool | Version\n\npip | 24\n\n"
                      "pip install qa")
    assert x.sections == [(0, "Guide"), (x.text.index("Setup"), "Guide › Setup")]
