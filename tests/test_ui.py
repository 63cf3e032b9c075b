"""The memory inspector at /ui, driven in a real headless Chromium against a real `remem serve`.

A person logs in with a key, reads the spaces and the extraction queue, filters memories, searches
now and "as of" a past day, reads a session beside what was drawn from it, edits a memory and sees
the new version in its history, forgets one after reading exactly what goes, and a key for another
space sees none of it. REMEM_UI_SCREENSHOTS=1 saves each screen to docs/img/ui-*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from remem.ids import new_id
from remem.store import Job, open_store
from remem.timeutil import now
from remem.types import Episode
from tests.server_fixture import Server, free_port

playwright_sync = pytest.importorskip("playwright.sync_api", reason="the dev extra installs playwright")

CHROMIUM = os.environ.get("REMEM_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "img"
SAVE_SHOTS = os.environ.get("REMEM_UI_SCREENSHOTS") == "1"  # read at import: the autouse fixture clears REMEM_*
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass
class Inspector:
    server: Server
    alice: str  # a token with write rights to space alice
    reader: str  # a token that may only read alice
    bob: str  # a token for space bob only
    browser: Any

    def page(self, token: str | None = None, viewport: dict[str, int] = DESKTOP) -> Any:
        """A fresh tab (its own sessionStorage), logged in with `token` when given."""
        context = self.browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15_000)
        urls: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.urls = urls
        page.goto(f"{self.server.url}/ui/")
        if token is not None:
            page.fill("#key-input", token)
            page.press("#key-input", "Enter")
            page.wait_for_selector("#spaces-table tbody tr")
            settle(page)  # the queue below the table comes from a second request
        return page


def settle(page: Any) -> None:
    """Wait until the actions the page started have shown their outcome."""
    page.wait_for_selector("body[data-busy='0']", state="attached")


def shot(page: Any, name: str, whole: bool = False) -> None:
    if SAVE_SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"ui-{name}.png"), full_page=whole)


def token(server: Server, spaces: dict[str, str]) -> str:
    return server.key(spaces)["Authorization"].removeprefix("Bearer ")


def add(server: Server, key: str, session: str, at: str, *texts: str) -> dict[str, Any]:
    response = server.call(
        "POST",
        f"/v1/spaces/{session.split('/')[0]}/add",
        {"Authorization": f"Bearer {key}"},
        json={"messages": [{"role": "user", "content": t} for t in texts], "session": session.split("/")[1], "at": at},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def inspector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Inspector]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it as root)")
    db = tmp_path_factory.mktemp("ui") / "server.db"
    server = Server(db, free_port(), env={"REMEM_EXTRACTOR": "rules"}).start()
    try:
        alice = token(server, {"alice": "write"})
        add(server, alice, "alice/trip", "2024-05-01T10:00:00Z", "I live in Lisbon and I work as a nurse.")
        add(server, alice, "alice/trip", "2024-05-01T10:05:00Z", "I love hiking in the mountains.")
        add(server, alice, "alice/move", "2024-07-01T10:00:00Z", "I moved to Berlin last week.")
        add(server, alice, "alice/pets", "2024-07-02T09:00:00Z", "My dog is called Pixel.")
        bob = token(server, {"bob": "write"})
        add(server, bob, "bob/work", "2024-07-03T09:00:00Z", "I work at a bakery in Porto.")
        # A turn stored whose extraction failed (an LLM endpoint that was down), as the queue shows it.
        store = open_store(f"sqlite:{db}")
        said = datetime(2024, 7, 1, 10, 5, tzinfo=UTC)
        turn = Episode(new_id("ep"), "alice", "user", "I started learning German.", "move", said, now())
        store.insert_episodes([turn])
        store.enqueue(
            Job(
                id="job_ui_failed",
                space="alice",
                episode_ids=[turn.id],
                state="pending",
                attempts=1,
                error=None,
                created_at=now(),
                updated_at=now(),
            )
        )
        store.fail_job("job_ui_failed", "llm endpoint http://127.0.0.1:9/v1 refused the connection")
        store.close()
        with playwright_sync.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            try:
                yield Inspector(server, alice, token(server, {"alice": "read"}), bob, browser)
            finally:
                browser.close()
    finally:
        server.kill()


def test_a_wrong_key_is_refused_and_a_right_one_shows_the_spaces_and_the_queue(inspector: Inspector) -> None:
    page = inspector.page()
    shot(page, "login")
    page.fill("#key-input", "rk_not_a_key")
    page.press("#key-input", "Enter")
    page.wait_for_selector("#login-error:not(:empty)")
    assert "key" in page.inner_text("#login-error").lower()
    assert page.is_visible("#login") and not page.is_visible("#tabs")

    page.fill("#key-input", inspector.alice)
    page.click("#login-form button")
    page.wait_for_selector("#spaces-table tbody tr")
    settle(page)  # the table shows before the queue's own request has answered
    cells = page.locator("#spaces-table tbody tr").first.locator("th, td").all_inner_texts()
    # alice: 5 turns, right write; memories = turns + facts; the failed job is counted.
    assert cells[0] == "alice" and cells[1] == "write" and cells[2] == "5" and cells[6] == "1"
    memories_before = int(cells[3])
    assert int(cells[3]) > 4 and int(cells[4]) < int(cells[3])  # the Lisbon fact is closed
    assert page.locator("#spaces-table tbody tr").count() == 1  # bob's space is not this key's
    assert "refused the connection" in page.inner_text("#queue")
    shot(page, "spaces")

    page.click("#retry")
    page.wait_for_selector("#queue >> text=No failed jobs.")
    settle(page)
    assert "Retried 1 job(s): 1 done, 0 failed" in page.inner_text("#notice")
    cells = page.locator("#spaces-table tbody tr").first.locator("th, td").all_inner_texts()
    assert int(cells[3]) > memories_before and cells[6] == "0"  # the turn was read for memories this time
    # The key went only in headers: never in a URL the page asked for, nor in the server's log.
    assert page.urls and not any(inspector.alice in url for url in page.urls)
    assert inspector.alice not in inspector.server.log_text()
    assert inspector.alice == page.evaluate("sessionStorage.getItem('remem.key')")
    page.context.close()


def test_memories_filter_by_kind_state_session_tag_and_dates(inspector: Inspector) -> None:
    page = inspector.page(inspector.alice)
    page.click("#tabs >> text=Memories")
    page.wait_for_selector("#memory-list .card")

    def texts(**filters: str) -> list[str]:
        for name, value in filters.items():
            field = page.locator(f"#memory-filters [name={name}]")
            if field.evaluate("el => el.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        page.click("#memory-filters button")
        settle(page)
        return [t.strip() for t in page.locator("#memory-list .card .text").all_inner_texts()]

    current = texts()
    assert any("Berlin" in t for t in current) and not any("lives in Lisbon" in t for t in current)
    closed = texts(state="closed", kind="fact")
    assert closed == ["The user lives in Lisbon and the user works as a nurse."]
    assert "2024-05-01 → 2024-06-24" in page.inner_text("#memory-list .card")
    everything = texts(state="all", kind="")
    assert len(everything) > len(current)
    assert all("Pixel" not in t for t in texts(session="trip"))
    tagged = texts(session="", tag="berlin")
    assert tagged == ["The user moved to Berlin last week (the week of 24 June 2024)."]
    dated = texts(tag="", since="2024-07-02", until="2024-07-02")
    assert dated and all("Pixel" in t for t in dated)
    texts(since="", until="", state="current")
    shot(page, "memories")
    page.set_viewport_size(PHONE)
    shot(page, "memories-phone")
    page.context.close()


def test_search_now_and_as_of_a_past_day_shows_both_ranks_and_scores(inspector: Inspector) -> None:
    page = inspector.page(inspector.alice)
    page.click("#tabs >> text=Search")
    page.fill("#search-form [name=query]", "where do I live")
    page.press("#search-form [name=query]", "Enter")
    page.wait_for_selector("#search-results tbody tr")
    first = page.locator("#search-results tbody tr").first.locator("td").all_inner_texts()
    assert "Berlin" in first[1]
    rows = [r.locator("td").all_inner_texts() for r in page.locator("#search-results tbody tr").all()]
    lisbon_turn = next(r for r in rows if r[1].startswith("I live in Lisbon"))
    lexical_rank, lexical_score = lisbon_turn[3].split(" · ")
    dense_rank, dense_score = lisbon_turn[4].split(" · ")
    assert int(lexical_rank) >= 1 and float(lexical_score) > 0
    assert int(dense_rank) >= 1 and 0 < float(dense_score) <= 1
    assert "now" in page.inner_text("#notice")

    page.fill("#search-form [name=as_of]", "2024-06-01")
    page.click("#search-form button")
    page.wait_for_selector("#notice >> text=as of 2024-06-01")
    first = page.locator("#search-results tbody tr").first.locator("td").all_inner_texts()
    assert first[1].startswith("The user lives in Lisbon")
    assert all("Berlin" not in r for r in page.locator("#search-results tbody tr td:nth-child(2)").all_inner_texts())
    shot(page, "search-as-of")
    page.context.close()


def test_a_session_shows_each_turn_with_the_memories_drawn_from_it(inspector: Inspector) -> None:
    page = inspector.page(inspector.alice)
    page.click("#tabs >> text=Sessions")
    page.click("#session-chips >> text=trip")
    page.wait_for_selector("#conversation .turn")
    turns = page.locator("#conversation .turn")
    assert turns.count() == 2
    assert "I live in Lisbon" in turns.nth(0).locator(".said").inner_text()
    assert "The user lives in Lisbon" in turns.nth(0).locator(".drawn").inner_text()
    assert "hiking" in turns.nth(1).locator(".said").inner_text()
    assert "Lisbon" not in turns.nth(1).locator(".drawn").inner_text()
    shot(page, "session")
    page.context.close()


def test_edit_makes_a_new_version_in_the_history_and_retire_closes_it(inspector: Inspector) -> None:
    page = inspector.page(inspector.alice)
    page.click("#tabs >> text=Search")
    page.fill("#search-form [name=query]", "hiking mountains")
    page.press("#search-form [name=query]", "Enter")
    page.click("#search-results tbody tr >> nth=0 >> button.link")
    page.wait_for_selector("#timeline li")
    assert page.locator("#timeline li").count() == 1
    assert "v1 ADD" in page.inner_text("#timeline")
    original = page.input_value("#edit-text")

    page.fill("#edit-text", "The user loves hiking in the Alps.")
    page.fill("#edit-reason", "the user named the mountains")
    page.click("#edit-form button")
    page.wait_for_selector("#timeline li >> nth=1")
    assert "Saved version 2." in page.inner_text("#notice")
    newest, oldest = page.locator("#timeline li").all_inner_texts()
    assert "v2 UPDATE" in newest and "the user named the mountains" in newest and "hiking in the Alps" in newest
    assert "v1 ADD" in oldest and original in oldest
    assert page.inner_text("#memory-detail .big") == "The user loves hiking in the Alps."
    shot(page, "history", whole=True)

    page.fill("#edit-reason", "no longer true")
    page.click("#retire")
    page.wait_for_selector("#timeline li >> nth=2")
    assert "v3 DELETE" in page.locator("#timeline li").first.inner_text()
    assert "(closed)" in page.inner_text("#memory-detail")
    assert page.is_disabled("#retire")
    page.context.close()

    reader = inspector.page(inspector.reader)
    reader.click("#tabs >> text=Memories")
    reader.locator("#memory-list .card .open").first.click()
    reader.wait_for_selector("#timeline li")
    assert not reader.is_visible("#edit-form") and not reader.is_visible("#forget")  # a read-only key
    reader.context.close()


def test_forget_says_what_goes_then_it_is_gone_and_another_space_sees_nothing(inspector: Inspector) -> None:
    page = inspector.page(inspector.alice)
    page.click("#tabs >> text=Search")
    page.fill("#search-form [name=query]", "dog Pixel")
    page.press("#search-form [name=query]", "Enter")
    page.locator("#search-results tbody tr button.link", has_text="Pixel").first.click()
    page.wait_for_selector("#timeline li")
    memory_id = page.inner_text("#memory-detail dd code")
    page.click("#forget")
    page.wait_for_selector("#confirm[open]")
    summary = page.inner_text("#confirm-body")
    assert "purges 2 memories, 1 turn and 2 versions" in summary  # the fact and its turn, both at v1
    assert page.locator("#purge-memories li").count() == 2
    assert page.inner_text("#purge-episodes") == "USER My dog is called Pixel."
    shot(page, "forget-confirm")

    page.click("#confirm-cancel")  # cancel purges nothing
    assert page.locator("#confirm[open]").count() == 0
    headers = {"Authorization": f"Bearer {inspector.alice}"}
    assert inspector.server.call("GET", f"/v1/spaces/alice/memories/{memory_id}", headers).status_code == 200

    page.click("#forget")
    page.wait_for_selector("#confirm[open]")
    page.click("#confirm-forget")
    page.wait_for_selector("#notice >> text=Forgotten: 2 memories, 1 turns, 2 versions.")
    assert inspector.server.call("GET", f"/v1/spaces/alice/memories/{memory_id}", headers).status_code == 404
    page.fill("#search-form [name=query]", "dog Pixel")
    page.click("#search-form button")
    settle(page)
    assert "Pixel" not in page.inner_text("#search-results")
    page.click("#tabs >> text=Sessions")
    assert page.locator("#session-chips >> text=pets").count() == 0
    page.context.close()

    # Bob's key: his space only; alice's space is neither listed nor reachable.
    bob = inspector.page(inspector.bob)
    assert bob.locator("#spaces-table tbody tr th").all_inner_texts() == ["bob"]
    assert bob.locator("#space-select option").all_inner_texts() == ["bob"]
    bob.click("#tabs >> text=Search")
    bob.fill("#search-form [name=query]", "Lisbon Berlin nurse")
    bob.press("#search-form [name=query]", "Enter")
    bob.wait_for_selector("#notice:not(:empty)")
    assert "Lisbon" not in bob.inner_text("#search-results") and "Berlin" not in bob.inner_text("#search-results")
    seen = bob.evaluate(
        """async () => (await fetch('/v1/spaces/alice/memories', {headers: {Authorization:
        'Bearer ' + sessionStorage.getItem('remem.key')}})).status"""
    )
    assert seen == 404
    bob.context.close()


def test_keyboard_alone_reaches_search_at_a_phone_width(inspector: Inspector) -> None:
    page = inspector.page(viewport=PHONE)
    assert page.evaluate("document.activeElement.id") == "key-input"
    page.keyboard.type(inspector.alice)
    page.keyboard.press("Enter")
    page.wait_for_selector("#spaces-table tbody tr")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Search":
            break
    page.keyboard.press("Enter")
    assert page.is_visible("#screen-search")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "query":
            break
    assert page.evaluate("document.activeElement.name") == "query"
    page.keyboard.type("where do I live")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results tbody tr")
    shot(page, "search-phone")
    # The page holds itself to its own origin.
    response = httpx.get(f"{inspector.server.url}/ui/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert all(url.startswith(inspector.server.url) for url in page.urls)
    page.context.close()


def test_the_pages_endpoints_refuse_bad_input_and_change_nothing(inspector: Inspector) -> None:
    alice, reader = ({"Authorization": f"Bearer {t}"} for t in (inspector.alice, inspector.reader))
    call = inspector.server.call
    before = call("GET", "/v1/spaces", alice).json()["spaces"]
    empty = call("POST", "/v1/spaces/alice/forget/preview", alice, json={})
    assert empty.status_code == 400 and "a 'before' time, a session, or everything" in empty.json()["error"]["message"]
    unknown = call("POST", "/v1/spaces/alice/forget/preview", alice, json={"ids": ["mem_nope"]})
    assert unknown.status_code == 404 and "mem_nope" in unknown.json()["error"]["message"]
    whole = call("POST", "/v1/spaces/alice/forget/preview", reader, json={"session": "trip"}).json()
    assert [e["content"] for e in whole["episodes"]][:1] == ["I live in Lisbon and I work as a nurse."]
    assert call("GET", "/v1/spaces/alice/memories?state=old", alice).status_code == 400
    assert call("GET", "/v1/spaces/alice/episodes?limit=0", alice).status_code == 400
    refused = call("POST", "/v1/spaces/alice/retry", reader)
    assert refused.status_code == 403 and "may only read" in refused.json()["error"]["message"]
    bob = {"Authorization": f"Bearer {inspector.bob}"}
    assert call("POST", "/v1/spaces/alice/forget/preview", bob, json={"everything": True}).status_code == 404
    assert call("GET", "/v1/spaces", alice).json()["spaces"] == before  # previews purge nothing
