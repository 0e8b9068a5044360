"""Per-format readers behind knowledge.parsing: decoding, Markdown/MDX, HTML and PDF."""
