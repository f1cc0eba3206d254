"""Layout proven, not hoped: every screen state laid out with the real fonts, every text inside its box.

The same layout code draws the frames and backs ``pufa check``; these tests lay out whole
episodes quoting the longest law titles in the official texts and check every line of text
against its container, the frame and the platform's safe area.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.captions.split import plan_captions
from pipeline.config import load_config
from pipeline.picture.fonts import resolve_bold_font, resolve_font
from pipeline.picture.layout import (
    Layout,
    Problem,
    Rect,
    Screen,
    caption_measure,
    check_episode_layout,
    describe,
    episode_screens,
    planned_captions,
)
from pipeline.review.check import check
from pipeline.review.laws import load_laws
from pipeline.script import Episode, parse_script
from tests.conftest import REPO, make_project

SHARED_LAWS = REPO.parent / "shared" / "laws"
# The two longest titles the series quotes; their articles as enacted, for machines without the law texts.
LONG_LAWS = {
    "《中华人民共和国预防未成年人犯罪法》": (
        "第三十八条",
        "本法所称严重不良行为，是指未成年人实施的有刑法规定、因不满法定刑事责任年龄不予刑事处罚的行为，"
        "以及严重危害社会的下列行为：（一）结伙斗殴，追逐、拦截他人，强拿硬要或者任意损毁、占用公私财物等寻衅滋事行为；"
        "（二）非法携带枪支、弹药或者弩、匕首等国家规定的管制器具；（三）殴打、辱骂、恐吓，或者故意伤害他人身体；"
        "（四）盗窃、哄抢、抢夺或者故意损毁公私财物；（五）传播淫秽的读物、音像制品或者电子信息等；"
        "（六）卖淫、嫖娼，或者进行淫秽表演；（七）吸食、注射毒品，或者向他人提供毒品；"
        "（八）参与赌博赌资较大；（九）其他严重危害社会的行为。",
    ),
    "《中华人民共和国反电信网络诈骗法》": (
        "第二条",
        "本法所称电信网络诈骗，是指以非法占有为目的，利用电信网络技术手段，通过远程、非接触等方式，诈骗公私财物的行为。",
    ),
}


def article_text(law: str, article: str, fallback: str) -> str:
    """The enacted text from ../shared/laws when it is there, else the copy above."""
    if SHARED_LAWS.is_dir():
        found = load_laws(SHARED_LAWS).article(law, article)
        if found:
            return found
    return fallback


def law_script(law: str, article: str, text: str, title: str = "未成年人犯罪早预防") -> str:
    return (
        f"---\nepisode: 9\ntitle: {title}\ntopic: 预防未成年人犯罪法\nlaws:\n  - {law}{article}\n---\n"
        "## 开场\n大家好，今天说一说一部法律。\n\n"
        f"## 法条\n> {law}{article}规定：{text}\n\n"
        "## 提醒\n遇到问题，请拨打{12348|幺二三四八}。\n"
    )


def laid_out(root: Path, script: str, toml: str = "") -> tuple[Layout, Episode, list[tuple[Screen, int, int]]]:
    (root / "pufa.toml").write_text(toml, encoding="utf-8")
    path = root / "scripts" / "0009-law.md"
    path.write_text(script, encoding="utf-8")
    config = load_config(root)
    layout = Layout(config, resolve_font(config), resolve_bold_font(config), config.video.width, config.video.height)
    episode = parse_script(path)
    plan = plan_captions(episode, caption_measure(layout), layout.caption_width(), config.captions.max_lines)
    return layout, episode, list(episode_screens(layout, episode, planned_captions(plan)))


def inside(box: Rect, outer: Rect) -> bool:
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


@pytest.mark.parametrize("law", sorted(LONG_LAWS))
@pytest.mark.parametrize(
    "toml",
    [
        "",
        '[video]\nwidth = 540\nheight = 960\nsafe_area = "douyin"\n',
        '[theme]\nname = "crimson"\nscene_labels = true\n',
    ],
    ids=["channels", "douyin-small", "crimson-labels"],
)
def test_every_text_lies_inside_its_box_the_frame_and_the_safe_area(tmp_path: Path, law: str, toml: str) -> None:
    article, fallback = LONG_LAWS[law]
    text = article_text(law, article, fallback)
    layout, episode, screens = laid_out(make_project(tmp_path / "series"), law_script(law, article, text), toml)
    frame = (0, 0, layout.width, layout.height)
    lines = 0
    for screen, _scene, _block in screens:
        for item in screen.texts:
            for line in item.lines:
                lines += 1
                where = f"{screen.name}: {item.what} '{line.text}' at {line.box}"
                assert inside(line.box, item.container), f"{where} leaves its box {item.container}"
                assert inside(line.box, frame), f"{where} leaves the frame"
                assert inside(line.box, layout.safe), f"{where} leaves the safe area {layout.safe}"
    assert lines > 20
    assert check_episode_layout(layout, episode, [[] for _ in episode.scenes]) == []


@pytest.mark.parametrize("law", sorted(LONG_LAWS))
def test_the_citation_is_whole_on_the_card_and_the_caption_is_hidden(tmp_path: Path, law: str) -> None:
    article, fallback = LONG_LAWS[law]
    _layout, _episode, screens = laid_out(
        make_project(tmp_path / "series"), law_script(law, article, article_text(law, article, fallback))
    )
    cards = [screen for screen, scene, block in screens if scene == 1 and block == 0]
    assert cards
    for screen in cards:
        citation = next(t for t in screen.texts if t.what == "law citation")
        assert citation.text == law + article, "the citation is never cut"
        assert len(citation.lines) <= 2
        assert not [t for t in screen.texts if t.what == "caption"], "no caption repeats the card"


def test_a_long_article_is_paged_in_step_with_the_narration(tmp_path: Path) -> None:
    law = "《中华人民共和国预防未成年人犯罪法》"
    article, fallback = LONG_LAWS[law]
    layout, _episode, screens = laid_out(
        make_project(tmp_path / "series"), law_script(law, article, article_text(law, article, fallback))
    )
    card = layout._law_cards[(1, 0)]
    assert len(card.pages) > 1
    assert list(card.page_of) == sorted(card.page_of), "pages turn forward as the article is read"
    shown = [
        "".join(line.text for line in next(t for t in screen.texts if t.what == "law text").lines)
        for screen, scene, block in screens
        if scene == 1 and block == 0
    ]
    # Every clause read aloud is on the page shown while it is read.
    for index, span in enumerate(card.clause_spans):
        if span is not None:
            clause = card.body[span[0] : span[1]].strip()
            assert clause.replace(" ", "") in shown[index].replace(" ", ""), clause


def test_an_overlong_text_is_a_check_error_and_the_build_refuses_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    law = "《中华人民共和国反电信网络诈骗法》"
    article, text = LONG_LAWS[law]
    title = "这是一个故意写得非常非常长的标题" * 6
    (root / "pufa.toml").write_text('[voice]\nengine = "espeak"\n', encoding="utf-8")
    (root / "scripts" / "0009-law.md").write_text(law_script(law, article, text, title=title), encoding="utf-8")
    report = check(load_config(root))
    errors = [f for f in report.findings if f.severity == "error"]
    assert errors, report.findings
    assert "0009-law.md:3:1: error: title card: title '" in errors[0].format(), "the line of the title field"
    assert "leaves its box by" in errors[0].message

    episode = parse_script(root / "scripts" / "0009-law.md")
    for what, line in (("title", 3), ("episode number", 2), ("topic", 4)):
        found = describe(Problem("cover 1440x1080", -1, -1, "…", what), episode)
        assert found == (line, "cover 1440x1080: …"), "a cover's text is found at its front-matter line"

    built = build(load_config(root))
    assert not built.ok
    (failure,) = built.failed
    path = root / "scripts" / "0009-law.md"
    assert failure.message.startswith(f"{path}:3: error: title card: title '"), "the path once, then the line"
    assert "leaves its box" in failure.message
    assert (failure.number, failure.title) == (9, title), "the summary table names the episode"


POINTS_SCRIPT = """\
---
episode: 9
title: 家长要做到三点
topic: 预防未成年人犯罪法
---
## 案例
![楼](../assets/images/building.png)
小明经常**夜不归宿**，还和社会闲散人员结伙斗殴。

## 提醒
- 关注孩子的**交友**情况
- 孩子夜不归宿要及时查找
- 发现问题，拨打{12348|幺二三四八}寻求帮助
"""


def test_point_cards_number_the_points_as_they_are_spoken(tmp_path: Path) -> None:
    _layout, _episode, screens = laid_out(make_project(tmp_path / "series"), POINTS_SCRIPT)
    states = [screen for screen, scene, block in screens if scene == 1 and block == 0]
    assert len(states) == 3
    for index, screen in enumerate(states):
        points = [t.text for t in screen.texts if t.what == "point"]
        numbers = [t.text for t in screen.texts if t.what == "point number"]
        assert numbers == [str(n + 1) for n in range(index + 1)], "points appear as they are spoken"
        assert points[-1] == ["关注孩子的交友情况", "孩子夜不归宿要及时查找", "发现问题，拨打12348寻求帮助"][index]
        assert not [t for t in screen.texts if t.what == "caption"]


def test_a_key_word_is_drawn_in_the_accent_colour(tmp_path: Path) -> None:
    layout, _episode, screens = laid_out(make_project(tmp_path / "series"), POINTS_SCRIPT)
    caption = next(t for screen, scene, _ in screens if scene == 0 for t in screen.texts if t.what == "caption")
    accented = "".join(run.text for line in caption.lines for run in line.runs if run.colour == layout.accent)
    assert accented == "夜不归宿"


def golden_states(root: Path) -> dict[str, object]:
    from pipeline.picture.frames import Painter

    (root / "pufa.toml").write_text('[theme]\nmotion = "none"\n', encoding="utf-8")  # the picture drawn in
    config = load_config(root)
    painter = Painter(config, resolve_font(config), 1080, 1920)
    law = "《中华人民共和国预防未成年人犯罪法》"
    article, fallback = LONG_LAWS[law]
    path = root / "scripts" / "0009-law.md"
    path.write_text(law_script(law, article, fallback), encoding="utf-8")
    episode = parse_script(path)
    plan = plan_captions(episode, caption_measure(painter.layout), painter.layout.caption_width(), 2)
    captions = planned_captions(plan)
    points_path = root / "scripts" / "0010-points.md"
    points_path.write_text(POINTS_SCRIPT.replace("episode: 9", "episode: 10"), encoding="utf-8")
    points = parse_script(points_path)
    points_captions = planned_captions(
        plan_captions(points, caption_measure(painter.layout), painter.layout.caption_width(), 2)
    )
    return {
        "law-card-long-citation": painter.scene_state(episode, 1, captions[1], 2),
        "point-card": painter.scene_state(points, 1, points_captions[1], 1),
        "caption-key-word": painter.scene_state(points, 0, points_captions[0], 0),
        "closing-card": painter.closing_card(),
    }


def test_card_and_caption_frames_match_their_reference(tmp_path: Path) -> None:
    from PIL import Image

    from tests.test_look import TOLERANCE, compare_with_reference

    root = make_project(tmp_path / "series")
    Image.open(REPO / "assets" / "images" / "building.jpg").save(root / "assets" / "images" / "building.png")
    for name, image in golden_states(root).items():
        assert isinstance(image, Image.Image)
        assert compare_with_reference(image, name) <= TOLERANCE, name


@pytest.mark.parametrize("size", [(1080, 1440), (1440, 1080)], ids=["3x4", "4x3"])
@pytest.mark.parametrize("with_picture", [True, False], ids=["picture", "no-picture"])
def test_covers_have_no_collisions_and_use_the_first_picture(
    tmp_path: Path, size: tuple[int, int], with_picture: bool
) -> None:
    from pipeline.picture.frames import Painter
    from pipeline.picture.layout import Picture, problems

    root = make_project(tmp_path / "series")
    (root / "pufa.toml").write_text("", encoding="utf-8")
    from PIL import Image

    Image.open(REPO / "assets" / "images" / "building.jpg").save(root / "assets" / "images" / "building.png")
    script = POINTS_SCRIPT if with_picture else POINTS_SCRIPT.replace("![楼](../assets/images/building.png)\n", "")
    path = root / "scripts" / "0010-points.md"
    path.write_text(script.replace("title: 家长要做到三点", "title: 未成年人犯罪，预防要趁早"), encoding="utf-8")
    config = load_config(root)
    layout = Painter(config, resolve_font(config), 1080, 1920).cover_layout(*size)
    episode = parse_script(path)
    screen = layout.cover(episode)
    assert problems(screen, layout) == [], "nothing leaves its box or collides"
    pictures = [item for item in screen.base if isinstance(item, Picture) and item.kind == "image"]
    assert [Path(p.source).name for p in pictures] == (["building.png"] if with_picture else [])
    title = next(t for t in screen.texts if t.what == "title")
    assert [line.text for line in title.lines] == ["未成年人犯罪，", "预防要趁早"], "broken after the comma"


def test_cover_frames_match_their_reference(tmp_path: Path) -> None:
    from PIL import Image

    from pipeline.picture.frames import Painter
    from tests.test_look import TOLERANCE, compare_with_reference

    root = make_project(tmp_path / "series")
    (root / "pufa.toml").write_text("", encoding="utf-8")
    Image.open(REPO / "assets" / "images" / "building.jpg").save(root / "assets" / "images" / "building.png")
    path = root / "scripts" / "0010-points.md"
    path.write_text(POINTS_SCRIPT, encoding="utf-8")
    config = load_config(root)
    painter = Painter(config, resolve_font(config), 1080, 1920)
    episode = parse_script(path)
    for name, size in (("cover-3x4", (1080, 1440)), ("cover-4x3", (1440, 1080))):
        image = painter.cover(episode, *size)
        assert image.size == size
        assert compare_with_reference(image, name) <= TOLERANCE, name


def test_a_paragraph_without_full_stops_shows_a_headline_not_the_paragraph(tmp_path: Path) -> None:
    from pipeline.picture.frames import Painter
    from tests.test_look import TOLERANCE, compare_with_reference

    root = make_project(tmp_path / "series")
    case = (REPO / "tests" / "cases" / "robustness" / "no-punctuation-2000.md").read_text(encoding="utf-8")
    layout, episode, screens = laid_out(root, case)
    boards = {t.text for screen, _scene, _block in screens for t in screen.texts if t.what == "key sentence"}
    (board,) = boards
    assert board.endswith("……") and len(board) <= 36 + 2, board
    assert episode.scenes[0].blocks[0].shown.startswith(board.removesuffix("……"))
    plan = plan_captions(episode, caption_measure(layout), layout.caption_width(), 2)
    assert check_episode_layout(layout, episode, planned_captions(plan)) == []
    painter = Painter(load_config(root), resolve_font(load_config(root)), 1080, 1920)
    captions = planned_captions(plan)[0]
    image = painter.scene_state(episode, 0, captions, 1)
    image.save(tmp_path / "board.png")
    assert compare_with_reference(image, "key-board-long-paragraph") <= TOLERANCE


def test_a_long_sentence_with_a_key_word_starts_its_headline_at_that_clause(tmp_path: Path) -> None:
    script = (
        "---\nepisode: 9\ntitle: 高空抛物\ntopic: 民法典\n---\n## 提醒\n"
        "小区里的居民们平时进进出出都要走楼下的这条路，大人小孩都有，"
        "可是总有人图方便把垃圾从窗口扔下去，这种**高空抛物**的行为非常危险，一定不能做\n"
    )
    _layout, _episode, screens = laid_out(make_project(tmp_path / "series"), script)
    (board,) = {t.text for screen, _s, _b in screens for t in screen.texts if t.what == "key sentence"}
    assert board.startswith("这种高空抛物的行为非常危险"), board
    assert len(board) <= 36 + 2


def test_a_card_citing_only_its_article_names_the_law_of_the_card_before(tmp_path: Path) -> None:
    """第二十条规定：… after a card of 《中华人民共和国劳动合同法》 is headed with that law, as check reads it."""
    law = "《中华人民共和国劳动合同法》"
    script = (
        f"---\nepisode: 9\ntitle: 试用期\ntopic: 劳动合同法\nlaws:\n  - {law}第十九条\n  - {law}第二十条\n---\n"
        f"## 法条\n> {law}第十九条规定：劳动合同期限一年以上不满三年的，试用期不得超过二个月。\n\n"
        "> 第二十条规定：劳动者在试用期的工资不得低于本单位相同岗位最低档工资的百分之八十。\n"
    )
    _layout, _episode, screens = laid_out(make_project(tmp_path / "series"), script)
    headers = [t.text for screen, _scene, _block in screens for t in screen.texts if t.what == "law citation"]
    assert set(headers) == {f"{law}第十九条", f"{law}第二十条"}


def test_a_citation_too_long_to_read_is_an_error_not_a_smaller_font(tmp_path: Path) -> None:
    """Two lines at the smallest readable size is all a citation gets; beyond that check says so."""
    law = "《中华人民共和国" + "关于加强和改进新时代未成年人思想道德建设和保护未成年人合法权益" * 4 + "的决定》"
    root = make_project(tmp_path / "series")
    (root / "pufa.toml").write_text('[voice]\nengine = "espeak"\n', encoding="utf-8")
    (root / "scripts" / "0009-law.md").write_text(law_script(law, "第一条", "为了保护未成年人。"), encoding="utf-8")
    report = check(load_config(root))
    errors = [f.format() for f in report.findings if f.severity == "error"]
    assert any(":11:1: error: scene 2 (法条): law citation '" in e and "leaves its box by" in e for e in errors), errors
