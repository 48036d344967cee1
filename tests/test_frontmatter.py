"""The single-line front-matter parser used for prompts/*.md and SKILL.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from botflix_mcp.frontmatter import FrontMatterError, parse_document, parse_front_matter, read_document


def test_parses_plain_quoted_json_and_scalars() -> None:
    doc = parse_document(
        "---\n"
        "name: director\n"
        'title: "A title: with a colon"\n'
        "quote: 'it''s fine'\n"
        "version: 0.1.0\n"
        "count: 3\n"
        "ratio: 1.5\n"
        "flag: true\n"
        "nothing: null\n"
        "# a comment\n"
        "\n"
        'metadata: {"openclaw": {"requires": {"env": ["A", "B"]}}}\n'
        'tags: ["x", "y"]\n'
        "---\n\n# Body\ntext\n"
    )
    assert doc.meta == {
        "name": "director",
        "title": "A title: with a colon",
        "quote": "it's fine",
        "version": "0.1.0",
        "count": 3,
        "ratio": 1.5,
        "flag": True,
        "nothing": None,
        "metadata": {"openclaw": {"requires": {"env": ["A", "B"]}}},
        "tags": ["x", "y"],
    }
    assert doc.body == "# Body\ntext"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("metadata:\n  openclaw: {}", "empty value"),
        ("a: 1\n  b: 2", "indented"),
        ("description: |", "may not start with '|'"),
        ("title: a: b", "may not contain"),
        ("title: word #comment", "may not contain"),
        ("meta: {not json}", "not valid single-line JSON"),
        ("name: x\nname: y", "duplicate key"),
        ("just text", "expected 'key: value'"),
        ("bad key: x", "bad key"),
        ("name:x", "a space must follow"),
        ("q: 'it's'", "must be doubled"),
        ("q: 'open", "unterminated"),
        ("item: - x", "may not start with '-'"),
    ],
)
def test_refuses_what_is_outside_the_subset(block: str, message: str) -> None:
    with pytest.raises(FrontMatterError, match=message):
        parse_front_matter(block)


def test_error_names_the_document_line() -> None:
    with pytest.raises(FrontMatterError, match="line 3"):
        parse_document("---\nname: ok\ntitle: a: b\n---\nbody")


def test_requires_both_markers() -> None:
    with pytest.raises(FrontMatterError, match="must start"):
        parse_document("# no front matter\n")
    with pytest.raises(FrontMatterError, match="not closed"):
        parse_document("---\nname: x\n# body without closing marker\n")


def test_reads_a_file_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_bytes("\ufeff---\r\nname: x\r\n---\r\n# T\r\n".encode())
    doc = read_document(path)
    assert doc.meta == {"name": "x"}
    assert doc.body == "# T"
