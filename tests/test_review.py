"""The review trail (法制审核): approving, rejecting, voiding by an edit, and what publishing asks of it."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.catalog import MIGRATIONS, Catalog
from pipeline.cli import main
from pipeline.config import Config, load_config
from pipeline.plan import plan_build
from pipeline.publish.episodes import mark, publish
from pipeline.publish.wechat import PublishError
from pipeline.review.check import check
from pipeline.review.trail import ReviewError, approve, reject, review_state, shown_time
from tests.conftest import Built


@pytest.fixture
def project(built: Built, tmp_path: Path) -> Config:
    root = tmp_path / "series"
    shutil.copytree(built.config.root, root)
    return load_config(root)


def script(config: Config) -> Path:
    return config.root / "scripts" / "0007-gaokong.md"


def edit(config: Config, old: str, new: str) -> None:
    path = script(config)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def status(config: Config) -> str:
    with Catalog(config.catalog_path) as catalog:
        row = catalog.get(7)
        assert row is not None
        return row.status


def csv_rows(config: Config) -> list[dict[str, str]]:
    return list(csv.DictReader((config.output_dir / "catalog.csv").read_text(encoding="utf-8-sig").splitlines()))


def test_a_fresh_build_is_unreviewed_and_a_draft(project: Config) -> None:
    state = review_state(project, 7)
    assert (state.state, state.review, status(project)) == ("unreviewed", None, "draft")
    assert state.describe() == (
        f"episode 7: build {state.built_hash[:10]} has no approval; "  # type: ignore[index]
        "a reviewer must approve it (pufa review approve 7 --by NAME)"
    )


def test_approval_makes_it_final_without_rendering(project: Config) -> None:
    video = project.root / "output" / "episodes" / "0007-gaokong" / "0007.mp4"
    before = (video.stat().st_mtime_ns, video.read_bytes())
    made = approve(project, 7, "张律师", "法条引用无误")
    state = review_state(project, 7)
    assert (state.state, state.review) == ("approved", made)
    assert (made.reviewer, made.note, made.input_hash) == ("张律师", "法条引用无误", state.built_hash)
    assert status(project) == "final"
    assert (video.stat().st_mtime_ns, video.read_bytes()) == before
    plan, _ = plan_build(project)
    assert [p.reason for p in plan.episodes] == ["up to date"], "approving is not a render input"
    row = csv_rows(project)[0]
    assert (row["status"], row["review"], row["reviewer"], row["review_note"]) == (
        "final",
        "approved",
        "张律师",
        "法条引用无误",
    )
    assert row["reviewed_at"] == made.at
    assert json.loads((project.output_dir / "catalog.json").read_text(encoding="utf-8"))[0]["reviewer"] == "张律师"


def test_rejection_needs_a_reason_and_keeps_it_a_draft(project: Config) -> None:
    with pytest.raises(ReviewError, match="say why it is rejected with --note TEXT"):
        reject(project, 7, "张律师", " ")
    approve(project, 7, "张律师")
    reject(project, 7, "李主任", "第二段案例时间有误")
    state = review_state(project, 7)
    assert state.state == "rejected" and status(project) == "draft"
    assert [(r.verdict, r.reviewer) for r in state.history] == [("approved", "张律师"), ("rejected", "李主任")]
    assert "was rejected by 李主任" in state.describe() and "第二段案例时间有误" in state.describe()


def test_status_line_is_no_render_input_and_check_says_so(project: Config) -> None:
    edit(project, "status: final\n", "")
    plan, _ = plan_build(project)
    assert [p.reason for p in plan.episodes] == ["up to date"]
    edit(project, "tags: [高空抛物]\n", "tags: [高空抛物]\nstatus: final\n")
    notes = [f for f in check(project).findings if "status: final" in f.message]
    assert [(f.line, f.severity) for f in notes] == [(8, "note")]
    assert notes[0].message.startswith("'status: final' no longer approves an episode: the review trail does")


def test_an_edit_voids_the_approval_until_the_new_build_is_approved(project: Config) -> None:
    approve(project, 7, "张律师")
    edit(project, "今天讲高空抛物", "今天来讲高空抛物")
    state = review_state(project, 7)
    assert state.state == "changed" and not state.approved
    with pytest.raises(PublishError, match="not published: episode 7 changed since it was built"):
        publish(project, [7], "channels", allow_draft_voice=True)

    report = build(project)
    assert [b.number for b in report.built] == [7]
    state = review_state(project, 7)
    assert state.state == "void" and status(project) == "draft"
    earlier = state.history[0]
    assert (
        state.describe(("张律师",))
        == (
            f"episode 7: build {state.built_hash[:10]} has no approval; the approval by 张律师 at {shown_time(earlier.at)} "  # type: ignore[index]
            f"was for an earlier build {earlier.input_hash[:10]}; a reviewer (张律师) must approve it "
            "(pufa review approve 7 --by NAME)"
        )
    )
    with pytest.raises(PublishError, match=r"not published: .* has no approval; the approval by 张律师"):
        publish(project, [7], "channels", allow_draft_voice=True)
    approve(project, 7, "张律师")
    assert review_state(project, 7).approved and status(project) == "final"


def test_inputs_approved_from_a_preview_make_an_approved_build(project: Config) -> None:
    edit(project, "今天讲高空抛物", "今天说说高空抛物")
    made = approve(project, 7, "张律师", "看过样片")
    state = review_state(project, 7)
    assert (state.state, state.review) == ("changed", made)
    assert state.describe().endswith(f"its current inputs were approved by 张律师 at {shown_time(made.at)}; run pufa build")
    build(project)
    state = review_state(project, 7)
    assert (state.state, state.review, status(project)) == ("approved", made, "final")


def test_only_the_series_reviewers_may_approve(project: Config) -> None:
    (project.root / "pufa.toml").write_text(
        project.path.read_text(encoding="utf-8") + '\n[review]\nreviewers = ["张律师", "李主任"]\n', encoding="utf-8"
    )
    config = load_config(project.root)
    with pytest.raises(
        ReviewError, match=r"王五 is not a reviewer of this series \(review.reviewers .*张律师, 李主任\)"
    ):
        approve(config, 7, "王五")
    with pytest.raises(PublishError, match=r"a reviewer \(张律师 or 李主任\) must approve it"):
        publish(config, [7], "channels", allow_draft_voice=True)


def test_an_episode_without_a_script_cannot_be_reviewed(project: Config) -> None:
    with pytest.raises(ReviewError, match="episode 8: no script of episode 8 in scripts/"):
        approve(project, 8, "张律师")


def test_cli_review_and_catalog_csv_after_publish_mark(project: Config) -> None:
    runner = CliRunner()
    base = ["--project", str(project.root)]
    result = runner.invoke(main, [*base, "review", "approve", "7", "--by", "张律师", "--note", "可以发布"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("0007: build ") and " approved by 张律师 at " in result.stdout
    result = runner.invoke(main, [*base, "review", "reject", "7", "--by", "张律师"])
    assert result.exit_code == 2 and "Missing option '--note'" in result.stderr
    result = runner.invoke(main, [*base, "review", "status"])
    assert result.stdout.startswith("approved  episode 7: build ")

    publish(project, [7], "channels", allow_draft_voice=True)
    mark(project, 7, "channels", "https://channels.weixin.qq.com/x/7")
    exported = csv_rows(project)[0]
    assert (exported["reviewer"], exported["channels_url"], exported["channels_state"], exported["status"]) == (
        "张律师",
        "https://channels.weixin.qq.com/x/7",
        "published",
        "published",
    )
    shown = list(csv.DictReader(io.StringIO(runner.invoke(main, [*base, "catalog", "--format", "csv"]).stdout)))
    assert (shown[0]["reviewer"], shown[0]["channels_url"], shown[0]["mp_url"]) == (
        "张律师",
        "https://channels.weixin.qq.com/x/7",
        "",
    )
    table = runner.invoke(main, [*base, "catalog"]).stdout.splitlines()
    assert "张律师 " in table[2] and "channels:https://channels.weixin.qq.com/x/7" in table[2]


def test_an_older_catalog_gains_the_reviews_table_in_place(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    db = sqlite3.connect(path)
    before = MIGRATIONS.index(next(m for m in MIGRATIONS if "CREATE TABLE reviews" in m))
    for statement in MIGRATIONS[:before]:
        db.execute(statement)
    db.execute(f"PRAGMA user_version={before}")
    db.execute(
        "INSERT INTO episodes VALUES (7, '高空抛物要担责', '民法典', '[]', '[]', 21.7, 's.md', 'v.mp4', 's.srt', "
        "'c.jpg', 'm.json', 'final', 'abc', '2026-11-28T10:00:00+00:00', 'espeak', 'cmn', 0)"
    )
    db.commit()
    db.close()
    with Catalog(path) as catalog:
        assert catalog.schema_version == len(MIGRATIONS)
        row = catalog.get(7)
        assert row is not None and (row.title, row.status, row.aigc) == ("高空抛物要担责", "final", "")
        assert catalog.reviews() == []
        made = catalog.add_review(7, "abc", "approved", "张律师", "")
        assert catalog.reviews() == [made]


def test_the_review_page_shows_the_approval_state(project: Config) -> None:
    from pipeline.review.preview import preview

    approve(project, 7, "张律师", "法条引用无误")
    page = preview(project, script(project)).page.read_text(encoding="utf-8")
    assert '<p id="review-state" class="approved">Legal review: approved · episode 7: build ' in page
    assert "approved by 张律师 at " in page
    assert "<td>张律师</td><td>approved</td>" in page and "<td>法条引用无误</td>" in page
