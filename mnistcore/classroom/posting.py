"""A finished run as the board keeps it, and the posts that wait in a server while the database is away."""

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch

from mnistcore import models, predictions
from mnistcore.classroom.store import RoomError, Store, StoreDown
from mnistcore.train import Result

MAX_WAITING = 200  # posts one server keeps while the database is away (about 30 KB each)


@dataclass(frozen=True)
class Post:
    """One finished run, ready for `Store.post`."""

    code: str
    member: int
    uid: str
    status: str
    settings: dict
    accuracy: float | None
    seconds: float
    dataset: str
    templates: np.ndarray  # (k, 784)
    wrong: np.ndarray  # (m,) validation indices it got wrong
    said: np.ndarray  # (m,) what it said for each
    ended: float  # when the run's result came in (time.time())

    def send(self, store: Store) -> bool:
        """Post it (False if it was posted before)."""
        return store.post(self.code, self.member, self.uid, self.status, self.settings, self.accuracy, self.seconds,
                          self.dataset, self.templates, self.wrong, self.said, self.ended)


def post_of(result: Result, x_valid: torch.Tensor, y_valid: torch.Tensor, code: str, member: int, uid: str,
            dataset: str) -> Post:
    """The post of a finished run: its settings and numbers, its templates, and the validation images it got wrong."""
    ended = time.time()  # called as the result comes in
    c = result.config
    settings = {"model": c.model, "optimizer": c.optimizer, "lr": c.lr, "batch_size": c.batch_size, "epochs": c.epochs,
                "schedule": c.schedule, "momentum": c.momentum, "start": c.start,  # "uploaded": the board marks it
                "trained_on": c.trained_on}
    if c.start != "fresh" and math.isfinite(result.start_accuracy):  # where the weights began: a fine-tune's "before"
        settings["before"] = float(result.start_accuracy)
    templates, _ = models.templates(result.model.cpu())  # (10, 784)
    templates = np.nan_to_num(templates.numpy(), nan=0.0, posinf=0.0, neginf=0.0)  # a diverged run's may be inf
    if result.status == "diverged":  # not a result: no accuracy and no mistakes to pool
        return Post(code, member, uid, "diverged", settings, None, result.seconds, dataset, templates,
                    np.zeros(0, np.int64), np.zeros(0, np.uint8), ended)
    said = predictions.probabilities(result.model.cpu().eval(), x_valid).argmax(axis=1)  # (N_valid, 10) -> (N_valid,)
    wrong = np.flatnonzero(said != y_valid.cpu().numpy())  # (m,)
    return Post(code, member, uid, result.status, settings, float(result.valid_accuracy), result.seconds, dataset,
                templates, wrong, said[wrong].astype(np.uint8), ended)


class Outbox:
    """Posts waiting in this server for the database to come back; each is sent once, in the order made."""

    def __init__(self, limit: int = MAX_WAITING):
        self.limit = limit
        self._waiting: OrderedDict[str, Post] = OrderedDict()
        self._said: OrderedDict[str, str] = OrderedDict()  # uid -> "posted", "waiting" or the room's refusal
        self._lock = threading.Lock()

    def _note(self, uid: str, state: str) -> None:
        self._said[uid] = state
        self._said.move_to_end(uid)
        while len(self._said) > 10 * self.limit:
            self._said.popitem(last=False)

    def send(self, store: Store | None, post: Post) -> str:
        """Post now, or keep it for later when the database is away (`store` None: it could not be opened)."""
        with self._lock:
            self._waiting[post.uid] = post
            while len(self._waiting) > self.limit:  # the oldest gives way; the server says so in its log
                lost, _ = self._waiting.popitem(last=False)
                self._note(lost, "lost: the class database was away too long")
            self._note(post.uid, "waiting")
        if store is not None:
            self.flush(store)
        return self.state(post.uid)

    def flush(self, store: Store) -> None:
        """Send every waiting post, oldest first; stop at the first sign that the database is still away."""
        while True:
            with self._lock:
                if not self._waiting:
                    return
                uid, post = next(iter(self._waiting.items()))
            try:
                post.send(store)
                state = "posted"
            except StoreDown:
                return
            except RoomError as e:
                state = str(e)
            with self._lock:
                self._waiting.pop(uid, None)
                self._note(uid, state)

    def state(self, uid: str) -> str | None:
        """"posted", "waiting", words saying why it was refused, or None for a run this server never saw."""
        with self._lock:
            return self._said.get(uid)

    def waiting(self) -> int:
        """How many posts wait for the database."""
        with self._lock:
            return len(self._waiting)
