"""Building on a Dask cluster: the coordinator plans and commits, workers render.

The inputs travel with the task, not through a shared folder: each worker gets the
episode's script, its pictures, music, stingers, logo, project font and lexicon as bytes
(every distinct file is sent to the cluster once per build), the parsed config and the
audio the coordinator already has cached for it. A worker renders in a temporary folder of
its own and returns the finished files; only the coordinator writes under
``output/episodes/`` and into ``catalog.db``. So workers need pufa installed (the same
version) and nothing else: no mounted drive, no SQLite over the network.

``task`` runs on the workers; ``coordinator`` runs in ``pufa build`` and ``pufa cluster check``.
"""
