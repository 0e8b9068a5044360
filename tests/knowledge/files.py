"""Build test files by hand: minimal valid PDFs, broken PDFs and binary blobs."""

from __future__ import annotations

import zlib

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
ZIP_BYTES = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20
# A typewritten legal text: ALL-CAPS title, numbered headings, a column table, a list.
SLA_TEXT = """ACME SERVICE LEVEL AGREEMENT
Version 4.1, effective 1 January 2026

1. SCOPE

This agreement applies to the Scale and Enterprise plans.

2. SERVICE CREDITS

If we miss the commitment, you receive a credit:

    Monthly uptime                   Credit
    below 99.9% but at least 99.0%   10%
    below 99.0%                      25%

Who is who
  - You are the data controller.
  - Acme is the processor.

Slack
HubSpot

Salesforce

Zapier
"""


def _escape_pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content_stream(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        ops.append(f"({_escape_pdf_string(line)}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def make_pdf(
    pages: list[list[str]],
    *,
    title: str | None = None,
    compress: bool = False,
    encrypt: bool = False,
) -> bytes:
    """Write a PDF with one Helvetica text stream per page (each inner list is a page's lines)."""
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: (
            f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] "
            f"/Count {len(pages)} >>"
        ).encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, lines in zip(page_ids, pages, strict=True):
        objects[page_id] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>"
        ).encode()
        stream = _content_stream(lines)
        if compress:
            stream = zlib.compress(stream)
            head = f"<< /Length {len(stream)} /Filter /FlateDecode >>"
        else:
            head = f"<< /Length {len(stream)} >>"
        objects[page_id + 1] = head.encode() + b"\nstream\n" + stream + b"\nendstream"
    info_id = None
    if title is not None:
        info_id = max(objects) + 1
        objects[info_id] = f"<< /Title ({_escape_pdf_string(title)}) >>".encode("latin-1")
    encrypt_id = None
    if encrypt:
        # A Standard security handler whose /U entry matches no password: readers
        # see an encrypted file they cannot open, as with a real password-protected PDF.
        encrypt_id = max(objects) + 1
        objects[encrypt_id] = (
            b"<< /Filter /Standard /V 1 /R 2 /P -4 "
            b"/O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> >>"
        )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for obj_id in sorted(objects):
        offsets[obj_id] = len(out)
        out += f"{obj_id} 0 obj\n".encode() + objects[obj_id] + b"\nendobj\n"
    size = max(objects) + 1
    xref_at = len(out)
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for obj_id in range(1, size):
        out += f"{offsets[obj_id]:010d} 00000 n \n".encode()
    trailer = f"<< /Size {size} /Root 1 0 R"
    if info_id is not None:
        trailer += f" /Info {info_id} 0 R"
    if encrypt_id is not None:
        trailer += f" /Encrypt {encrypt_id} 0 R /ID [<{'11' * 16}> <{'11' * 16}>]"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def truncate(data: bytes, fraction: float = 0.4) -> bytes:
    """Cut a file short, as an interrupted download would."""
    return data[: int(len(data) * fraction)]
