"""Publishing meets damaged local files and incomplete platform answers with one line that says what to do."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.publish.wechat import PublishError
from pipeline.speech.cache import cache_root
from tests.fake_wechat import APPID, FakeWeChat
from tests.test_publish import journal, project, run, template, wechat

__all__ = ["project", "template", "wechat"]


def test_an_answer_without_media_id_says_what_to_do(project: Config, wechat: FakeWeChat) -> None:
    wechat.inject("/cgi-bin/material/add_material", "lose:media_id")
    with pytest.raises(PublishError) as raised:
        run(project, 7)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("/cgi-bin/material/add_material: WeChat's answer has no 'media_id' (it has ")
    assert message.endswith(
        "what was done so far is in the publish journal: run the same command again to resume, "
        "and report it if it happens again"
    )
    assert journal(project)[0] == "uploading"
    lines = run(project, 7)
    assert journal(project)[0] == "drafted", lines


@pytest.mark.parametrize("content", ["[1, 2]", '{"appid": "x"}', "{not json"])
def test_a_token_cache_of_the_wrong_shape_says_what_to_do(
    project: Config, wechat: FakeWeChat, content: str
) -> None:
    token_file = cache_root() / f"wechat-token-{APPID}.json"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(content, encoding="utf-8")
    with pytest.raises(PublishError) as raised:
        run(project, 7)
    problem = "not readable JSON" if content.startswith("{not") else "not the shape pufa writes"
    assert str(raised.value).startswith(f"{token_file}: the access-token cache is {problem}")
    assert str(raised.value).endswith("; delete this file (pufa fetches a new token) and run the command again")
    token_file.unlink()
    run(project, 7)
    assert journal(project)[0] == "drafted"


def test_the_token_cache_is_private_from_the_start(project: Config, wechat: FakeWeChat) -> None:
    run(project, 7)
    token_file = cache_root() / f"wechat-token-{APPID}.json"
    assert token_file.stat().st_mode & 0o777 == 0o600
