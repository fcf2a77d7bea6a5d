"""Routes of the leader board (挂图作战) and its charts."""

from __future__ import annotations

from django.urls import URLPattern, path

from closeout.web import board

urlpatterns: list[URLPattern] = [
    path("board/", board.board, name="board"),
    path("board/charts/<slug:name>.<str:fmt>", board.board_chart, name="board_chart"),
    path("board/problems/<int:problem_id>/", board.problem_timeline, name="problem_timeline"),
    path(
        "board/problems/<int:problem_id>/timeline.<str:fmt>",
        board.problem_timeline_chart,
        name="problem_timeline_chart",
    ),
    path(
        "board/indicators/<int:indicator_id>.<str:fmt>",
        board.indicator_chart,
        name="indicator_chart",
    ),
    path("board/plans/<int:plan_id>/indicators/", board.indicator_add, name="indicator_add"),
    path(
        "board/indicators/<int:indicator_id>/readings/",
        board.reading_record,
        name="reading_record",
    ),
]
