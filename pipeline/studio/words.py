"""Plain Chinese for what the library reports in English: check findings, build failures, stages.

Each rule is a pattern over the library's message and its Chinese wording; a message no rule
knows is shown as it is, so nothing is ever hidden.
"""

from __future__ import annotations

import re

SEVERITY = {"error": "错误", "warning": "提醒", "note": "读音"}
STAGES = {"voice": "配音", "frames": "画面", "encode": "编码", "finish": "收尾"}

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), wording)
    for pattern, wording in (
        (r"^image not found: (?P<a>.+)$", r"找不到图片：\g<a>（检查文件名，图片放在 assets/images/ 里）"),
        (r"^spoken as: (?P<a>.+) → (?P<b>.+) \((?P<c>[\w-]+)\)$", r"读音：\g<a> 读作 \g<b>"),
        (r"^spoken as: (?P<a>.+)$", r"读作：\g<a>"),
        (
            r"^the voice cannot read '(?P<a>.+)' \((?P<b>U\+\w+)\); write (?P<c>.+)$",
            r"配音读不出「\g<a>」（\g<b>），请写成 \g<c>",
        ),
        (r"^missing field '(?P<a>\w+)' in the front matter$", r"信息区缺少 \g<a>"),
        (r"^unknown field '(?P<a>\w+)'.*$", r"信息区里有不认识的项目 \g<a>"),
        (r"^front matter is not valid YAML: (?P<a>.+)$", r"信息区格式不对：\g<a>"),
        (r"^the file must start with '---'.*$", "脚本要以 --- 开头的信息区（episode、title、topic）开始"),
        (r"^the front matter opened on line 1 is never closed.*$", "信息区没有用 --- 结束"),
        (r"^text before the first scene heading.*$", "第一个场景标题前有文字；场景用「## 标题」开始"),
        (r"^no scenes: .*$", "没有场景：至少要有一个「## 标题」和旁白"),
        (r"^scene '(?P<a>.+)' has no narration$", r"场景「\g<a>」没有旁白"),
        (r"^a scene can have one picture.*$", "一个场景只能有一张图片"),
        (r"^an image before the first scene heading.*$", "图片要放在「## 」场景标题下面"),
        (r"^scene headings use '## '.*$", "场景标题要用「## 」"),
        (r"^a scene heading needs a label.*$", "场景标题要有名字，例如「## 案例」"),
        (r"^comment '<!--' is never closed.*$", "注释「<!--」没有用「-->」结束"),
        (r"^unmatched '\{' or '\}'.*$", "大括号不成对；读音写作 {显示|读作}"),
        (r"^'(?P<a>.+)' needs both parts: .*$", r"「\g<a>」要写两部分：{显示|读作}"),
        (
            r"^the caption font cannot draw '(?P<a>.+)' \((?P<b>U\+\w+)\).*$",
            r"字幕字体画不出「\g<a>」（\g<b>）；请换一个字",
        ),
        (r"^episode (?P<a>\d+) is also used by (?P<b>.+)$", r"第\g<a>期已经被 \g<b> 使用"),
        (
            r"^law card cites (?P<a>.+), which is not listed in laws:$",
            r"法条卡片引用了\g<a>，但信息区的 laws 里没有列出",
        ),
        (r"^law card does not quote (?P<a>.+?) as enacted: (?P<b>.+)$", r"法条卡片与\g<a>的原文不一致：\g<b>"),
        (r"^'(?P<a>.+)' is not in the standard form .*$", r"「\g<a>」不是标准写法《中华人民共和国X法》第…条"),
        (
            r"^estimated duration (?P<a>\d+) s is outside the series target of (?P<b>.+) s$",
            r"预计时长 \g<a> 秒，不在本系列的目标 \g<b> 秒之内",
        ),
        (r"^scene '(?P<a>.+)' is long: about (?P<b>\d+) s.*$", r"场景「\g<a>」太长：旁白约 \g<b> 秒，可以拆开"),
        (r"^caption cannot fit: '(?P<a>.+)' is wider.*$", r"字幕放不下：「\g<a>」比画面宽，会被断开"),
        (r"^a caption needs more than (?P<a>\d+) lines$", r"有一条字幕超过 \g<a> 行"),
        (
            r"^short title '(?P<a>.*)' has (?P<b>\d+) characters; the channel wants (?P<c>[\d–]+).*$",
            r"短标题「\g<a>」有 \g<b> 个字，视频号要求 \g<c> 个字（可以写 short_title:）",
        ),
        (r"^the file is empty.*$", "文件是空的：脚本要有信息区和至少一个场景"),
        (r"^no such script$", "没有这个脚本"),
        (
            r"^episode (?P<a>\d+) was spoken by the offline draft voice.*$",
            r"第\g<a>期用的是离线草稿配音；正式发布前请用在线配音重新生成（pufa build --tts edge --force），"
            r"或勾选「允许离线草稿配音」试发",
        ),
        (
            r"^episode (?P<a>\d+) is '(?P<b>\w+)'; only 'final' episodes are published.*$",
            r"第\g<a>期还没有定稿：先在「审核」页通过，再重新生成，才能发布",
        ),
        (r"^episode (?P<a>\d+) is not in the catalog; build it first$", r"第\g<a>期还没有生成：请先在「生成」页生成"),
        (
            r"^episode (?P<a>\d+) changed since it was built.*$",
            r"第\g<a>期生成以后脚本又改过：请先在「生成」页重新生成",
        ),
        (r"^episode (?P<a>\d+): (?P<b>\S+) is missing; run pufa build$", r"第\g<a>期缺少 \g<b>：请先重新生成"),
        (r"^episode (?P<a>\d+): its script has errors now: (?P<b>.+)$", r"第\g<a>期的脚本现在有错误：\g<b>"),
        (
            r"^no WeChat credentials: .*$",
            "这台电脑还没有配置公众号的 AppID 和 AppSecret（见 README「Publishing to WeChat」），请联系技术人员",
        ),
        (r"^edge-tts unreachable after (?P<a>\d+) tries.*$", r"连不上在线配音服务（试了 \g<a> 次）；可以先用离线配音"),
    )
)

_LOCATED = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<severity>error|warning|note): (?P<rest>.*)$"
)


def chinese(message: str) -> str:
    """The message in plain Chinese, or as it is when no rule knows it."""
    for pattern, wording in _RULES:
        if pattern.match(message):
            return pattern.sub(wording, message, count=1)
    return message


def located(message: str) -> tuple[int | None, str]:
    """``path:line: error: text`` → (line, text in Chinese); a message without a place → (None, text)."""
    match = _LOCATED.match(message.strip())
    if match is None:
        return None, chinese(message.strip())
    return int(match["line"]), chinese(match["rest"])
