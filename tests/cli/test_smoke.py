from __future__ import annotations


def test_cli_add_then_show_prints_the_item(tmp_tracker):
    item_id = tmp_tracker.add("First item", "--priority", "1")
    assert item_id == "WI-dajam-vuvuf-dubin-duhig-habap-lijog-luvoz-mavud"
    out = tmp_tracker.ok("show", item_id[:8])
    assert out.splitlines()[0] == f"{item_id}  First item"


def test_cli_version_prints_the_version(tmp_tracker):
    from htrac import __version__
    assert tmp_tracker.ok("--version").strip() == f"htrac, version {__version__}"
