"""The tolerant models of the AIOZ API layer (botflix_mcp/aioz/api/base.py): what a Go backend really sends."""

from __future__ import annotations

import pytest

from botflix_mcp.aioz.api.account import PaymentList, User
from botflix_mcp.aioz.api.base import parse, require, total_of
from botflix_mcp.aioz.api.media import Media, MediaList
from botflix_mcp.errors import UnexpectedAnswerError


def test_nil_slices_and_nil_objects_are_empty() -> None:
    page = parse(MediaList, {"media": None, "total": 0}, method="POST", path="/media")
    assert page.media == [] and page.total == 0
    assert parse(PaymentList, {"billings": None, "total": None}, method="GET", path="/p").billings == []
    media = parse(Media, None, method="GET", path="/media/x", key="media")
    assert media.id == "" and media.qualities == [] and media.assets.hls_url == ""


def test_numbers_as_strings_and_garbage_numbers() -> None:
    page = parse(
        MediaList,
        {"media": [{"id": "m", "duration": "12.5", "size": "1024", "view": "x"}, None, "junk"], "total": "7"},
        method="POST",
        path="/media",
    )
    assert [m.id for m in page.media] == ["m"]  # entries that are not objects are dropped
    assert page.total == 7
    m = page.media[0]
    assert m.duration == 12.5 and m.size == 1024 and m.view is None
    assert parse(Media, {"duration": None}, method="GET", path="/m").duration is None
    assert parse(Media, {"duration": "NaN"}, method="GET", path="/m").duration is None


def test_unknown_fields_are_kept_and_dumped() -> None:
    media = parse(Media, {"id": "m", "brand_new_field": {"a": 1}}, method="GET", path="/m")
    assert media.dump()["brand_new_field"] == {"a": 1}


def test_user_balance_stays_a_decimal_string() -> None:
    user = parse(User, {"user": {"id": "u", "balance": 12.5, "debt": None}}, method="GET", path="/user/me", key="user")
    assert user.balance == "12.5" and user.debt == ""


def test_media_qualities_are_read_from_name() -> None:
    media = parse(Media, {"qualities": [{"name": "720p", "status": "done"}, {"name": "1080p"}]}, method="G", path="/")
    assert media.quality_names == ["720p", "1080p"]


@pytest.mark.parametrize("data", [[1, 2], "text", 42])
def test_wrong_kind_of_answer_is_a_readable_error(data: object) -> None:
    with pytest.raises(UnexpectedAnswerError) as info:
        parse(MediaList, data, method="POST", path="/media")
    text = info.value.for_model()
    assert "POST /media" in text and "unexpected answer" in text and "bug" not in text


def test_a_list_field_that_is_not_a_list_names_the_field() -> None:
    with pytest.raises(UnexpectedAnswerError) as info:
        parse(MediaList, {"media": "abc"}, method="POST", path="/media")
    assert "`media`" in info.value.message


def test_required_ids_and_totals() -> None:
    with pytest.raises(UnexpectedAnswerError, match="no media id"):
        require("", "media id", method="POST", path="/media/create")
    assert total_of(None, 3) == 3 and total_of(10, 3) == 10 and total_of(1, 3, offset=25) == 28
