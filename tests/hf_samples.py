"""Daily Papers API entries shaped like the real ones (``GET /api/daily_papers?date=...``).

Field names, nesting and value formats follow responses of huggingface.co, including the
fields Paper Trends ignores (thumbnails, media, discussion ids), so the parser is tested
against what it will meet rather than against the fields it reads.
"""

from __future__ import annotations

import json
from typing import Any

MISSING = object()  # leave the key out entirely (unlike None, which sends null)

ABSTRACT = ("Large language model agents fail on long-horizon tasks. We introduce a planner "
            "that decomposes tasks into verifiable steps and improves success by 12 points. "
            "Code: https://github.com/other-lab/planner-tools.")

# Text as real responses carry it: arXiv's line wraps kept in the title, a hard-wrapped summary.
WRAPPED_TITLE = "Sparse Adapters for Large Multimodal\n  Models"
WRAPPED_ABSTRACT = ("Large multimodal models are costly to adapt. We train sparse\nadapters "
                    "that  touch 2% of the weights\n  and match full fine-tuning.\n")


def entry(paper_id: str = "2510.07312", title: str = "Verifiable Planning for LLM Agents", *,
          upvotes: Any = 12, authors: tuple[str, ...] = ("Ann Lee", "Bo Chen", "Cai Wu"),
          hidden: tuple[str, ...] = (), github_repo: Any = "https://github.com/acme/vplan",
          abstract: str = ABSTRACT, published: str = "2025-10-08T17:59:57.000Z",
          submitted: str = "2025-10-09T01:23:45.678Z", comments: Any = 2,
          organization: str | None = "Acme AI", **paper_fields: Any) -> dict[str, Any]:
    """One entry; keyword arguments beyond the named ones set or drop (MISSING) paper fields."""
    org = None if organization is None else {
        "_id": "6538119803519fddb4a17e10", "name": organization.lower().replace(" ", "-"),
        "fullname": organization, "avatar": "https://cdn-avatars.huggingface.co/v1/acme.png"}
    paper: dict[str, Any] = {
        "id": paper_id,
        "authors": [{"_id": f"68e7{i:020x}", "name": name, "hidden": name in hidden,
                     **({} if name in hidden else {"user": {"_id": f"64{i:022x}",
                                                            "user": name.split()[0].lower(),
                                                            "fullname": name, "type": "user"}}),
                     "status": "claimed_verified" if i == 0 else "admin_assigned",
                     "statusLastChangedAt": "2025-10-09T09:12:01.000Z"}
                    for i, name in enumerate(authors)],
        "mediaUrls": ["https://cdn-uploads.huggingface.co/production/uploads/fig1.png"],
        "publishedAt": published,
        "submittedOnDailyAt": submitted,
        "title": title,
        "submittedOnDailyBy": {"_id": "60f1abe7544c2adfd699860c", "avatarUrl": "/avatars/ak.svg",
                               "isPro": True, "fullname": "AK", "user": "akhaliq",
                               "type": "user"},
        "summary": abstract,
        "upvotes": upvotes,
        "discussionId": "68e81c2b3a1f0a2f9f3c1d22",
        "githubRepo": github_repo,
        "ai_summary": "A planner that splits agent tasks into verifiable steps.",
        "ai_keywords": ["LLM agents", "long-horizon planning", "verifiable steps"],
        "githubStars": 41,
        "projectPage": "https://acme.ai/vplan",
        "organization": org,
    }
    for key, value in paper_fields.items():
        paper[key] = value
    paper = {k: v for k, v in paper.items() if v is not MISSING}
    item: dict[str, Any] = {
        "paper": paper,
        "publishedAt": "2025-10-09T01:23:45.678Z",
        "title": title,
        "summary": abstract,
        "mediaUrls": [],
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper_id}.png",
        "numComments": comments,
        "submittedBy": {"_id": "60f1abe7544c2adfd699860c", "avatarUrl": "/avatars/ak.svg",
                        "isPro": True, "fullname": "AK", "name": "akhaliq", "type": "user"},
        "organization": org,
        "isAuthorParticipating": False,
    }
    return {k: v for k, v in item.items() if v is not MISSING}


def body(*entries: dict[str, Any]) -> bytes:
    return json.dumps(list(entries)).encode()
