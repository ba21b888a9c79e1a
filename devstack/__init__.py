"""Local stack in one command: Temporal dev server, worker and API as child processes.

``python -m devstack`` (or ``make run``) keeps all state in ``settings.data_dir``, so a
second start finds open tenders where they were.
"""
