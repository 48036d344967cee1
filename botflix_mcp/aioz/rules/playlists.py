"""Playlists: the linked-list order of items and the body of a reorder (docs/aioz-api.md §playlists)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from botflix_mcp.aioz.rules.common import RuleViolation

# =========================================================================== playlists


@dataclass(frozen=True)
class PlaylistItem:
    """A playlist item as the detail lists it: its own id, its linked-list neighbours and the media it holds."""

    id: str
    next_id: str | None = None
    previous_id: str | None = None
    media_id: str | None = None


def _walk(items: Sequence[PlaylistItem], pointer: Literal["next_id", "previous_id"]) -> list[PlaylistItem] | None:
    """Follow one kind of pointer from the only item nobody points to; None unless that reaches every item once."""
    by_id = {i.id: i for i in items}
    targeted = {getattr(i, pointer) for i in items}
    starts = [i for i in items if i.id not in targeted]
    if len(starts) != 1:
        return None
    chain: list[PlaylistItem] = []
    seen: set[str] = set()
    node: PlaylistItem | None = starts[0]
    while node is not None and node.id not in seen:
        chain.append(node)
        seen.add(node.id)
        node = by_id.get(getattr(node, pointer) or "")
    return chain if len(chain) == len(items) else None


def order_items(items: Sequence[PlaylistItem]) -> list[PlaylistItem]:
    """Order items by their linked-list pointers, whatever order they were listed in.

    Follows `next_id` from the head; if those pointers are missing or broken, follows `previous_id` back from the
    tail; if both fail (a cycle, two heads, duplicate ids), keeps the given order — the detail fetched without
    sort parameters lists items in their custom order (skill §11).
    """
    forward = _walk(items, "next_id")
    if forward is not None:
        return forward
    backward = _walk(items, "previous_id")
    return backward[::-1] if backward is not None else list(items)


def plan_reorder(
    items_in_order: Sequence[PlaylistItem],
    item_id: str,
    position: Literal["top", "bottom", "before", "after"],
    anchor_id: str | None = None,
) -> dict[str, str]:
    """The `PUT /playlists/{id}/items` body for a move, computed from the fetched order (skill §11).

    Positioning reference: top -> only `next_id` = the current first item; bottom -> only `previous_id` = the
    current last item; before/after `anchor_id` -> both neighbours at the new place. `item_id`/`anchor_id` may be
    item ids or media ids; the body always carries item ids. Refused: unknown ids, anchor == item, a missing
    anchor for before/after, a one-item playlist and a move that changes nothing (the item is already there).
    """
    if position not in ("top", "bottom", "before", "after"):
        raise RuleViolation(f"Unknown position {position!r}.", "Use top, bottom, before or after.")
    items = list(items_in_order)

    def find(ref: str, what: str) -> int:
        for i, it in enumerate(items):  # item ids first, then media ids
            if it.id == ref:
                return i
        for i, it in enumerate(items):
            if it.media_id is not None and it.media_id == ref:
                return i
        raise RuleViolation(
            f"The {what} {ref!r} is not in this playlist.", "Get the playlist detail to see its items and their ids."
        )

    index = find(item_id, "item")
    current = items[index]
    if len(items) < 2:
        raise RuleViolation("The playlist has only one item; there is nothing to reorder.")
    rest = items[:index] + items[index + 1 :]
    if position == "top":
        target = 0
    elif position == "bottom":
        target = len(rest)
    else:
        if not anchor_id:
            raise RuleViolation(f"Moving {position} an item needs anchor_id.", "Give the item to move next to.")
        anchor = find(anchor_id, "anchor item")
        if anchor == index:
            raise RuleViolation("The item and the anchor are the same.", "Pick another anchor item.")
        anchor_in_rest = anchor if anchor < index else anchor - 1
        target = anchor_in_rest if position == "before" else anchor_in_rest + 1
    if target == index:
        where = f"at the {position}" if position in ("top", "bottom") else f"directly {position} {anchor_id!r}"
        raise RuleViolation(f"The item {item_id!r} is already {where}.", "Nothing needs to change.")
    body: dict[str, str] = {"current_id": current.id}
    if target < len(rest):
        body["next_id"] = rest[target].id
    if target > 0:
        body["previous_id"] = rest[target - 1].id
    return body
