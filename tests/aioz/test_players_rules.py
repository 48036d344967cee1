"""rules/players.py: every colour, size and control problem of a player theme reported at once (issue 10 §7)."""

from __future__ import annotations

import pytest

from botflix_mcp.aioz.rules import RuleViolation
from botflix_mcp.aioz.rules.players import normalise_player_settings


def test_all_problems_in_one_violation_with_distinct_hints() -> None:
    with pytest.raises(RuleViolation) as caught:
        normalise_player_settings(
            {
                "main_color": "blurple",
                "text_color": "nope",
                "control_bar_height": "2em",
                "menu_background_color": "red",
            },
            {"autoplay": True},
        )
    message, hint = caught.value.message, caught.value.next_step or ""
    assert message.startswith("The player theme has 4 problems")
    assert [line for line in message.splitlines() if line.startswith("- ")] == [
        "- main_color: 'blurple' is not a colour I can convert.",
        "- text_color: 'nope' is not a colour I can convert.",
        "- control_bar_height: '2em' is in 'em'; the player accepts only pixels.",
        "- Unknown control(s) autoplay.",
    ]
    assert hint.count("Use rgba(255, 0, 0, 1)") == 1  # the same hint once, not per colour
    assert "enable_api" in hint and "pixels" in hint


def test_one_problem_keeps_its_own_message() -> None:
    with pytest.raises(RuleViolation, match=r"^main_color: 'blurple' is not a colour"):
        normalise_player_settings({"main_color": "blurple", "text_color": "white"})


def test_good_settings_are_normalised_with_notes() -> None:
    theme, notes = normalise_player_settings({"main_color": "#f00", "progress_bar_height": 4}, {"force_loop": True})
    assert theme == {"main_color": "rgba(255, 0, 0, 1)", "progress_bar_height": "4px"}
    assert notes == ["main_color: '#f00' → 'rgba(255, 0, 0, 1)'", "progress_bar_height: '4' → '4px'"]
