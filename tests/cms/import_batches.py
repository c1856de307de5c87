"""A crash half-way through an import written in batches (zhunru.imports), raised from its real hook."""

import threading

from zhunru.imports import batch_committed


class Crash(Exception):
    """Stands for the process dying between two batches."""


class stop_after:
    """Raise Crash from the batch_committed hook once ``batches`` batches writing ``model`` committed."""

    def __init__(self, model, batches: int):
        self.model, self.batches, self.seen = model, batches, 0

    def __call__(self, sender, done, total, **kwargs):
        self.seen += 1
        if self.seen == self.batches:
            raise Crash(f"{done}/{total}")

    def __enter__(self):
        batch_committed.connect(self, sender=self.model)
        return self

    def __exit__(self, *exc):
        batch_committed.disconnect(self, sender=self.model)


class write_meanwhile:
    """Once ``after`` writes of an import of ``model`` committed, run ``write`` in another thread (its own
    database connection) and wait for it; ``events`` then says which finished first. ``write`` returns what
    it saw (kept as ``seen``). The wait is a deadlock guard only: a write blocked by the import never ends."""

    def __init__(self, model, after: int, write):
        self.model, self.after, self.write = model, after, write
        self.events: list[str] = []
        self.seen = self.error = self.alive = None

    def _other(self):
        from django.db import connection

        try:
            self.seen = self.write()
            self.events.append("other write committed")
        except Exception as exc:  # noqa: BLE001 - reported through self.error
            self.error = repr(exc)
        finally:
            connection.close()

    def __call__(self, sender, done, total, **kwargs):
        if done == self.after:
            thread = threading.Thread(target=self._other)
            thread.start()
            thread.join(60)
            self.alive = thread.is_alive()

    def __enter__(self):
        batch_committed.connect(self, sender=self.model)
        return self

    def __exit__(self, exc_type, *exc):
        batch_committed.disconnect(self, sender=self.model)
        if exc_type is None:
            self.events.append("import finished")
