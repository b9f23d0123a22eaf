"""`revdesk report`: the month's report written to a file (Markdown or HTML), or printed; a bad month or an
unwritable file is one line naming the option, exit 2, and no file."""

from __future__ import annotations

from tests.tui.cli.cli_helpers import run


def test_the_report_as_html_and_markdown(capsys, db, tmp_path):
    out = tmp_path / "reports" / "2026-11.html"
    code, text, err = run(capsys, "--db", str(db), "--as", "maya", "report", "--month", "2026-11", "--format",
                          "html", "--out", str(out))
    assert code == 0, err
    assert "Wrote Sales and marketing report — November 2026" in text
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count('<section id="') == 5 and "<svg" in html
    assert not (tmp_path / "reports" / "2026-11.html.part").exists()
    code, text, err = run(capsys, "--db", str(db), "report", "--month", "2026-11")
    assert code == 0, err
    assert text.startswith("# Sales and marketing report — November 2026")


def test_a_bad_month_or_place_is_refused(capsys, db, tmp_path):
    code, _, err = run(capsys, "--db", str(db), "report", "--month", "November")
    assert code == 2 and "--month: 'November' is not a month like 2026-11" in err
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    code, _, err = run(capsys, "--db", str(db), "report", "--month", "2026-11", "--out", str(blocked / "r.md"))
    assert code == 2 and err.startswith("revdesk: error: --out: cannot write")
    for folder in (".", str(tmp_path)):
        code, _, err = run(capsys, "--db", str(db), "report", "--month", "2026-11", "--out", folder)
        assert code == 2 and err == f"revdesk: error: --out: {folder} is a folder; give the report a file name, like" \
                                    " report.md\n", err


def test_a_place_named_like_markup_is_written_and_said_literally(capsys, db, tmp_path):
    out = tmp_path / "Acme [/] Ltd" / "[bold]2026-11.md"
    code, text, err = run(capsys, "--db", str(db), "--as", "maya", "report", "--month", "2026-11", "--out", str(out))
    assert code == 0, err
    assert f"to {out}" in " ".join(text.split()) and out.read_text(encoding="utf-8").startswith("# Sales")


def test_the_report_is_read_in_the_acting_users_timezone(capsys, db, tmp_path):
    out = tmp_path / "r.md"
    code, _, err = run(capsys, "--db", str(db), "--as", "tom", "report", "--month", "2026-11", "--out", str(out))
    assert code == 0, err
    assert "dates and times in Europe/London (Tom Reyes's timezone)" in out.read_text(encoding="utf-8")
