"""``python -m pipeline`` is the ``pufa`` command."""

from __future__ import annotations

from pipeline.cli import main

main(prog_name="pufa")
