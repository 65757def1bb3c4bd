"""The form that records a lesson learned: what happened, what we learned, what to do next time."""

from __future__ import annotations

from clientdesk.store.models import LessonLearned
from clientdesk.widgets.record_form import FormField, RecordForm


class LessonForm(RecordForm[LessonLearned]):
    """A lesson's title, what happened, what we learned, what to do next time and its category."""

    RECORD_TYPE = LessonLearned
    NOUN = "lesson"
    FIELDS = (
        FormField("title", "Lesson", required=True, placeholder="in short, e.g. Late test data"),
        FormField(
            "what_happened",
            "What happened",
            kind="long",
            placeholder="e.g. test data came 3 weeks late",
        ),
        FormField(
            "learned",
            "We learned",
            kind="long",
            placeholder="e.g. the client's DBA needs lead time",
        ),
        FormField(
            "next_time", "Next time", kind="long", placeholder="e.g. ask for test data at kick-off"
        ),
        FormField(
            "category", "Category", default="process", placeholder="process, client, technical…"
        ),
    )
