"""The memo behind the text passes: same answers as the function, and bounded memory."""

from papertrends.common.memo import BoundedMemo


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
