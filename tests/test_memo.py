"""The memo behind the text passes: same answers as the function, and bounded memory."""

import gc
import weakref

import pandas as pd

from papertrends.common.memo import BoundedMemo, once_per_frame


def test_the_memo_answers_as_the_function_does_and_works_each_token_out_once() -> None:
    calls: list[str] = []

    def shout(token: str) -> str:
        calls.append(token)
        return token.upper()

    memo = BoundedMemo(shout)
    assert [memo[t] for t in ["agent", "model", "agent", "agent"]] == [
        "AGENT", "MODEL", "AGENT", "AGENT"]
    assert calls == ["agent", "model"]


def test_rare_tokens_cannot_pile_up_past_the_limit() -> None:
    memo = BoundedMemo(len, limit=100)
    for number in range(1_000):
        assert memo[str(number)] == len(str(number))
        assert len(memo) <= 100


def test_once_per_frame_answers_the_same_frame_from_memory_and_a_new_one_afresh() -> None:
    calls = []

    @once_per_frame
    def rows(frame: pd.DataFrame) -> int:
        calls.append(len(frame))
        return len(frame)

    first = pd.DataFrame({"a": [1, 2, 3]})
    assert rows(first) == rows(first) == 3 and calls == [3]
    second = first.iloc[:2]  # a new selection: a new frame
    assert rows(second) == 2 and calls == [3, 2]
    assert rows(first) == 3 and calls == [3, 2, 3]  # only the last frame is kept
    held = weakref.ref(first)
    del first, second
    gc.collect()
    assert held() is None  # the memo does not keep a frame alive
