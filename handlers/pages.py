"""One page of a long list, within Block Kit's limits: which items are shown, "showing 21–40 of 57",
and the ‹ Previous / Next › buttons that redraw the message in place. Pure; tested without mocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from handlers.blocks import button

T = TypeVar("T")
MAX_PAGE = 99_999  # a page number a button or a command may carry (a forged one is clamped, never trusted)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]  # the ones shown
    number: int  # 1-based, clamped to the pages there are
    pages: int
    first: int  # 1-based position of items[0] in the whole list
    total: int

    @property
    def showing(self) -> str:
        """"showing 21–40 of 57" (or "all 7" when one page holds them)."""
        if self.pages <= 1:
            return f"all {self.total}"
        return f"showing {self.first}–{self.first + len(self.items) - 1} of {self.total}"


def page_of(items: Sequence[T], number: int, per_page: int) -> Page[T]:
    pages = max(1, -(-len(items) // per_page))
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], number, pages, start + 1, len(items))


def page_number(text: str) -> int | None:
    """A page number as typed or carried by a button; None when it is not one."""
    text = text.strip()
    # ASCII only: '²' is a digit to str.isdigit, and int() refuses it
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text[:6]) <= MAX_PAGE and len(text) <= 6 else None


def page_buttons(page: Page, action_id: str) -> list[dict]:
    """An actions block with ‹ Previous and/or Next ›; none when everything fits on one page. The value is
    only the page number: a click re-reads the list, so it shows what is true now, not what was."""
    elements = []
    if page.number > 1:
        elements.append(button("‹ Previous", f"{action_id}_previous", str(page.number - 1)))
    if page.number < page.pages:
        elements.append(button("Next ›", f"{action_id}_next", str(page.number + 1)))
    return [{"type": "actions", "block_id": action_id, "elements": elements}] if elements else []
