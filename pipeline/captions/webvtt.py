"""WebVTT captions beside the SRT: the same cues and times, for web players and screen readers.

Browsers play WebVTT in ``<track>`` elements (SRT they do not), so the accessible web page of
an episode can offer captions the viewer sizes and colours to taste.
"""

from __future__ import annotations

from pipeline.captions.track import CaptionTrack, cue_time


def format_vtt(track: CaptionTrack) -> str:
    """The WebVTT text of a track: the header, then each cue with its frame-exact times (HH:MM:SS.mmm)."""
    blocks = ["WEBVTT\n"]
    for cue in track.cues:
        start, end = cue_time(cue.first_frame, track.fps, "."), cue_time(cue.end_frame, track.fps, ".")
        blocks.append(f"{cue.index}\n{start} --> {end}\n{_escape(cue.text)}\n")
    return "\n".join(blocks)


def _escape(text: str) -> str:
    """Cue text is markup in WebVTT: &, < and > must be written as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
