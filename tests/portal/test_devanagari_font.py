"""Hindi reads on a machine without a Hindi font: the stylesheet names the Devanagari
font shipped with the project (for Devanagari characters only) and the app serves it."""

from __future__ import annotations

from pathlib import Path

FONTS = Path(__file__).resolve().parents[2] / "registry" / "fonts"


def test_the_shipped_devanagari_font_is_served_to_browsers(client):
    css = client.get("/static/style.css")
    text = css.get_data(as_text=True)
    css.close()
    assert 'url("fonts/NotoSansDevanagari-Regular.ttf")' in text
    assert "unicode-range: U+0900-097F" in text
    for name in ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"):
        font = client.get(f"/static/fonts/{name}")
        assert font.status_code == 200
        assert font.data == (FONTS / name).read_bytes()
        font.close()
