"""Links in abstracts: GitHub repositories versus other pages, normalised and deduplicated."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertrends.common.links import find_urls, github_repo, is_http_url, split_links


@pytest.mark.parametrize(("text", "repos", "urls"), [
    # sentence punctuation and brackets around a link
    ("Code: https://github.com/Owner/Repo.", ["Owner/Repo"], []),
    ("(see https://github.com/a/b)", ["a/b"], []),
    ("(code: https://github.com/a/b).", ["a/b"], []),
    ("at https://github.com/a/b, and", ["a/b"], []),
    ("https://github.com/a/b; https://github.com/c/d: https://github.com/e/f!",
     ["a/b", "c/d", "e/f"], []),
    ("https://github.com/a/b?", ["a/b"], []),
    ("https://github.com/a/b..", ["a/b"], []),
    ("'https://github.com/a/b';", ["a/b"], []),
    ('"https://github.com/a/b"', ["a/b"], []),
    ("<https://github.com/a/b>", ["a/b"], []),
    ("[https://github.com/a/b]", ["a/b"], []),
    ("https://en.wikipedia.org/wiki/Foo_(bar).", [],
     ["https://en.wikipedia.org/wiki/Foo_(bar)"]),  # a balanced parenthesis is part of the link
    # LaTeX braces
    ("https://x.github.io/a/{Homepage}", [], ["https://x.github.io/a/"]),
    ("\\url{https://github.com/a/b}", ["a/b"], []),
    ("https://p.github.io/x/{https://p.github.io/x/}", [], ["https://p.github.io/x/"]),
    # spellings of one repository
    ("https://github.com/a/b.git", ["a/b"], []),
    ("https://github.com/a/b.git.", ["a/b"], []),
    ("https://github.com/a/b#readme", ["a/b"], []),
    ("https://github.com/a/b?tab=readme-ov-file", ["a/b"], []),
    ("https://github.com/a/b/tree/main/src", ["a/b"], []),
    ("https://github.com/a/b/blob/main/README.md#usage", ["a/b"], []),
    ("https://www.github.com/a/b", ["a/b"], []),
    ("www.github.com/a/b", ["a/b"], []),
    ("available at github.com/a/b.", ["a/b"], []),
    ("http://github.com/a/b", ["a/b"], []),
    ("HTTPS://GITHUB.COM/a/b", ["a/b"], []),
    # GitHub pages that are not repositories are neither code nor project pages
    ("https://github.com/features/copilot", [], []),
    ("https://github.com/orgs/acme/repositories", [], []),
    ("https://github.com/owner", [], []),
    ("https://github.com/owner/", [], []),
    ("https://github.com/", [], []),
    ("https://github.com/-bad/x", [], []),
    ("mail user@github.com/a/b", [], []),
    # everything else http(s) is a project page
    ("https://x.github.io/proj", [], ["https://x.github.io/proj"]),
    ("https://gist.github.com/a/b", [], ["https://gist.github.com/a/b"]),
    ("https://huggingface.co/x?y=1&z=2.", [], ["https://huggingface.co/x?y=1&z=2"]),
    ("javascript:alert(1) ftp://x.org/a data:text/html,hi", [], []),
    # deduplicated case-insensitively, first spelling kept, order of appearance
    ("https://github.com/A/B then https://github.com/a/b.git and https://github.com/a/B#x",
     ["A/B"], []),
    ("https://X.github.io/p/ and https://x.github.io/p", [], ["https://X.github.io/p/"]),
    ("https://github.com/z/z https://a.org https://github.com/y/y https://b.org",
     ["z/z", "y/y"], ["https://a.org", "https://b.org"]),
    ("", [], []),
])
def test_split_links_in_text(text, repos, urls) -> None:
    assert split_links([text]) == (repos, urls)


def test_split_links_over_several_texts_and_none() -> None:
    assert split_links([None, "https://github.com/a/b", "", "https://github.com/A/b.git"]) == (
        ["a/b"], [])


def test_extra_links_given_by_a_source() -> None:
    repos, urls = split_links(
        ["text https://github.com/t/t and https://t.org"],
        extra_repos=["owner/repo", " o2/r2 ", "https://github.com/o3/r3.git", "OWNER/REPO"],
        extra_urls=["https://ok.org", "https://github.com/o4/r4", "https://github.com/features",
                    "docs/index.html", "javascript:alert(1)", "ftp://x.org", "/relative",
                    "data:text/html,x", "https://T.org/"])
    assert repos == ["owner/repo", "o2/r2", "o3/r3", "t/t", "o4/r4"]
    assert urls == ["https://t.org", "https://ok.org"]


# Spellings of Daily Papers ``githubRepo`` and ``projectPage`` values seen in real responses.
@pytest.mark.parametrize(("repo_field", "repos"), [
    ("https://github.com/owner/\nrepo-name", ["owner/repo-name"]),  # a line wrap in the URL
    ("https://github.com/owner/\n  repo-name\n", ["owner/repo-name"]),
    ("https://github.com/owner/repo/", ["owner/repo"]),
    ("https://github.com/owner/repo.git", ["owner/repo"]),
    ("https://github.com/owner/repo/tree/main/examples/demo", ["owner/repo"]),
    ("https://github.com/owner/repo/tree/feature-branch", ["owner/repo"]),
    ("https://github.com/owner/repo/blob/main/", ["owner/repo"]),
    (" https://github.com/owner/repo", ["owner/repo"]),
    ("https://github.com/owner/", []),
])
def test_a_repository_field_is_read_however_it_is_spelled(repo_field, repos) -> None:
    assert split_links([], extra_repos=[repo_field]) == (repos, [])


@pytest.mark.parametrize(("page_field", "urls"), [
    (" https://sites.example.org/view/robot", ["https://sites.example.org/view/robot"]),
    ("https://lab.example.io/\nproject/", ["https://lab.example.io/project/"]),
    ("\t", []),
])
def test_a_project_page_field_loses_its_padding_and_line_wraps(page_field, urls) -> None:
    assert split_links([], extra_urls=[page_field]) == ([], urls)


@pytest.mark.parametrize(("url", "repo"), [
    ("https://github.com/a/b", "a/b"),
    ("github.com/a/b", "a/b"),
    ("  https://github.com/a/b.git  ", "a/b"),
    ("https://github.com/my-org/my.repo_2", "my-org/my.repo_2"),
    ("https://github.com/a/b/issues/3", "a/b"),
    ("https://github.com/a", None),
    ("https://github.com/topics/llm", None),
    ("https://github.com/a/.git", None),
    ("https://github.com/a/b%20c", None),
    ("https://gitlab.com/a/b", None),
    ("https://notgithub.com/a/b", None),
    ("", None),
])
def test_github_repo(url, repo) -> None:
    assert github_repo(url) == repo


@pytest.mark.parametrize(("value", "ok"), [
    ("https://example.org", True),
    ("http://example.org/a?b=c#d", True),
    ("HTTPS://EXAMPLE.ORG", True),
    (" https://example.org ", True),
    ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False),
    ("data:text/html,<script>", False),
    ("ftp://example.org/file", False),
    ("file:///etc/passwd", False),
    ("mailto:a@b.org", False),
    ("/relative/path", False),
    ("relative/path", False),
    ("//example.org/no-scheme", False),
    ("https://", False),
    ("http:///path", False),
    ("http://[bad", False),
    ("", False),
    (None, False),
    (42, False),
])
def test_is_http_url(value, ok) -> None:
    assert is_http_url(value) is ok


def test_find_urls_trims_only_what_is_not_part_of_the_link() -> None:
    assert find_urls("A (https://a.org/x_(y)), https://b.org/c. https://c.org/d?e=f!") == [
        "https://a.org/x_(y)", "https://b.org/c", "https://c.org/d?e=f"]


def test_repository_links_built_in_bulk_equal_those_built_one_by_one() -> None:
    """The GitHub page links a hundred thousand repositories at once; a name with characters
    a URL must escape (a space, '#', '?', non-ASCII) is quoted exactly as alone."""
    from papertrends.common.urls import github_url, github_urls

    repos = ["openai/gym", "Owner.Name/repo_name-2", "a/b~c", "we ird/na me", "a/b#c",
             "a/b?x=1", "ü/ñ", "a/b/c", "a/.github"]
    assert github_urls(repos).tolist() == [github_url(r) for r in repos]
    assert github_urls(repos)[3] == "https://github.com/we%20ird/na%20me"


def test_paper_page_links_built_in_bulk_equal_those_built_one_by_one() -> None:
    """A bare arXiv id links its Hugging Face page as it is; anything else (a title id, an id
    with a version, a prefix or spaces) falls back to a search for the title, quoted."""
    from papertrends.common.urls import hf_paper_url, hf_paper_urls

    ids = ["2401.12345", "2401.1234", "hep-th/9901001", "math.AG/0101001", "2401.12345v2",
           "arXiv:2401.12345", " 2401.12345", "2401.12345\n", "title-0a1b2c", "", "title-2",
           "title-3", "title-4"]
    titles = ["A", "B", "C", "D", "E", "F", "G", "H", "Tom & Jerry: 100% #1", None,
              "Über-große Modelle", "", "a+b=c? [x] {y} 'z' \"q\" `t` ~_.-"]
    assert hf_paper_urls(ids, titles).tolist() == [hf_paper_url(i, t)
                                                   for i, t in zip(ids, titles, strict=True)]
    assert hf_paper_urls(ids, titles)[8] == "https://huggingface.co/papers?q=Tom+%26+Jerry%3A+100%25+%231"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1))
def test_a_title_search_link_quotes_any_ascii_title_as_alone(title: str) -> None:
    from papertrends.common.urls import hf_paper_url, hf_paper_urls

    assert hf_paper_urls(["title-x"], [title]).tolist() == [hf_paper_url("title-x", title)]
