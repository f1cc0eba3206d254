from __future__ import annotations

import io

from pipeline.progress import PlainProgress, TerminalProgress


def test_terminal_progress_draws_a_bar_and_a_line_per_running_episode() -> None:
    screen = io.StringIO()
    progress = TerminalProgress(screen)
    progress.begin(3, 1)
    progress.started(1260, "高空抛物，后果很严重")
    progress.started(1261, "刷单返利？都是骗局")
    progress.stage(1261, "encode", 0.42)
    progress.finished(1260, "built", "output/episodes/1260-gaokong/1260.mp4")
    progress.close()
    text = screen.getvalue()
    assert "3 to build, 1 up to date" in text
    assert "] 1/3" in text and "[#" in text
    assert "1261 刷单返利？都是骗局  encode  42%" in text
    assert "1260 built: output/episodes/1260-gaokong/1260.mp4" in text
    assert "\x1b[" in text, "redrawn in place"


def test_plain_progress_for_logs() -> None:
    lines: list[str] = []
    progress = PlainProgress(lines.append, verbose=True)
    progress.begin(1, 0)
    progress.started(7, "标题")
    progress.stage(7, "voice", 0.0)
    progress.stage(7, "voice", 0.5)
    progress.finished(7, "failed", "episode 7: ffmpeg failed")
    assert lines == [
        "1 to build, 0 up to date",
        "0007 标题: started",
        "  0007 voice",
        "[1/1] 0007 failed: episode 7: ffmpeg failed",
    ]


def test_quiet_progress_prints_only_failures() -> None:
    lines: list[str] = []
    progress = PlainProgress(lines.append, quiet=True)
    progress.begin(2, 0)
    progress.started(1, "一")
    progress.finished(1, "built", "ok")
    progress.finished(2, "failed", "bad")
    assert lines == ["[2/2] 0002 failed: bad"]
