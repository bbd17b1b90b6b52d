"""--url-map files: CSV or JSON, relative paths as Input.rel, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.inputs import walk
from cleaner.urlmap import UrlMapError, load_url_map


def test_csv_with_header_and_windows_paths(tmp_path: Path) -> None:
    f = tmp_path / "map.csv"
    f.write_text("path,url\nnews/a.html,https://news.example.com/a\n"
                 ".\\news\\b.html.gz,https://example.org/b\n\n", encoding="utf-8")
    assert load_url_map(f) == {"news/a.html": "https://news.example.com/a",
                               "news/b.html.gz": "https://example.org/b"}


def test_csv_without_header(tmp_path: Path) -> None:
    f = tmp_path / "map.csv"
    f.write_text('a.html,"https://example.com/a?x=1,2"\n', encoding="utf-8")
    assert load_url_map(f) == {"a.html": "https://example.com/a?x=1,2"}


def test_json_map(tmp_path: Path) -> None:
    f = tmp_path / "map.json"
    f.write_text('{"./x/y.htm": "https://example.com/y"}', encoding="utf-8")
    assert load_url_map(f) == {"x/y.htm": "https://example.com/y"}


def test_keys_match_input_rel(tmp_path: Path) -> None:
    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "src" / "sub" / "p.html").write_text("<html></html>", encoding="utf-8")
    f = tmp_path / "map.csv"
    f.write_text("sub/p.html,https://example.com/p\n", encoding="utf-8")
    urls = load_url_map(f)
    assert [urls.get(item.rel) for item in walk(tmp_path / "src")] == ["https://example.com/p"]


@pytest.mark.parametrize("name,content,message", [
    ("map.csv", "a.html,https://e.com/a,extra\n", "line 1: expected 2 columns"),
    ("map.csv", "a.html,\n", "line 1: empty URL"),
    ("map.csv", "a.html,https://e.com/1\na.html,https://e.com/2\n", "line 2: 'a.html' mapped twice"),
    ("map.json", "[1, 2]", "expected a JSON object"),
    ("map.json", "{\"a.html\": 3}", "key 'a.html': the URL must be a string"),
    ("map.json", "{oops", "bad JSON"),
])
def test_bad_maps_name_file_and_place(tmp_path: Path, name: str, content: str,
                                      message: str) -> None:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    with pytest.raises(UrlMapError, match=message) as err:
        load_url_map(f)
    assert str(f) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UrlMapError, match="cannot read"):
        load_url_map(tmp_path / "nope.csv")
