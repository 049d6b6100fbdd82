"""Safe reports: article text is untrusted and must reach the HTML reports as text, never as markup.

An article carrying a <script>, an <img onerror=...> and a javascript: link goes through the whole batch
report; each HTML report is then opened in headless Chromium. Every payload would leave a trace if it ran
(an attribute on <body>, the page title); the test checks that no trace appears and that the payload text
is visible on the page. CI installs Debian's chromium (.ci/run), so there this test always runs.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

from conftest import ROOT
from diplo.report.batch import find_notebooks, run_report

SCRIPT = "<script>document.body.setAttribute('data-pwned','script');document.title='PWNED'</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
LINK = "<a href=\"javascript:document.body.setAttribute('data-pwned','link')\">read the full statement</a>"

# Each payload sits inside a strongly toned sentence, so it reaches the sentence, evidence and KWIC tables.
ARTICLE = f"""Date 2023-05-04 Baku talks end with a joint statement {SCRIPT}

Azerbaijan and Iran agreed to expand cooperation {SCRIPT} on transit corridors, officials said on Thursday.

The foreign ministers praised the constructive dialogue {IMG} and signed a memorandum on energy.

Officials welcomed the agreement {LINK} as a peaceful step forward for both neighbours.

Critics condemned the talks and warned of renewed tensions and threats on the border, javascript:alert(1).
"""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("unsafe")
    raw = tmp / "raw"
    raw.mkdir()
    (raw / "hostile.txt").write_text(ARTICLE, encoding="utf-8")
    (raw / "metadata.csv").write_text(
        "file,date,outlet,title,url\n"
        f"hostile.txt,2023-05-04,\"Evil {IMG} News\",\"Talks {SCRIPT}\",javascript:alert(1)\n", encoding="utf-8")
    return run_report({"raw_dir": str(raw)}, tmp / "report", notebooks_dir=ROOT / "notebooks", progress=False)


def _dump_dom(chromium: str, page, profile) -> str:
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
           "--virtual-time-budget=5000", "--dump-dom", page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_html_outputs_escape_article_text(report_dir):
    """Without a browser: the raw payload markup never appears in any HTML report (escaped instead)."""
    for nb in [*find_notebooks(ROOT / "notebooks"), report_dir / "index.ipynb"]:  # and the run's index page
        page = (report_dir / nb.with_suffix(".html").name).read_text(encoding="utf-8")
        for payload in (SCRIPT, IMG, LINK, "Evil " + IMG):
            assert payload not in page, f"{nb.stem}: unescaped payload in the HTML"


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (apt-get install chromium); "
                                                "CI installs it in .ci/run")
def test_no_script_runs_in_any_report_and_payload_text_is_visible(report_dir, tmp_path):
    seen_payload_text = set()
    for nb in [*find_notebooks(ROOT / "notebooks"), report_dir / "index.ipynb"]:  # and the run's index page
        dom = _dump_dom(_chromium(), report_dir / nb.with_suffix(".html").name, tmp_path / f"profile-{nb.stem}")
        body = re.search(r"<body[^>]*>", dom)
        assert body is not None, f"{nb.stem}: chromium returned no page"
        assert "data-pwned" not in body.group(0), f"{nb.stem}: a payload ran: {body.group(0)}"
        title = re.search(r"<title>(.*?)</title>", dom, re.S)
        assert title is None or "PWNED" not in title.group(1), f"{nb.stem}: a payload set the title"
        for name, payload in (("script", SCRIPT), ("img", IMG), ("link", LINK)):
            if html.escape(payload, quote=False) in dom:
                seen_payload_text.add(name)
    # the payloads are shown as text somewhere in the reports (sentence and metadata tables)
    assert seen_payload_text == {"script", "img", "link"}
