"""Stable machine-readable codes for messages a tender refuses.

Workflows raise them as the `type` of an ApplicationError; the API turns them
into problem details with the same `code`.
"""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    # a part of the tender the message names does not exist
    REQUEST_NOT_FOUND = "request_not_found"
    QUOTE_NOT_FOUND = "quote_not_found"
    # the tender's state does not allow the message
    TENDER_CLOSED = "tender_closed"
    MODE_NOT_CHOSEN = "mode_not_chosen"
    MODE_ALREADY_FIXED = "mode_already_fixed"
    MODE_NOT_ALLOWED = "mode_not_allowed"
    WRONG_PROCESSING_MODE = "wrong_processing_mode"
    TENDER_ALREADY_CLAIMED = "tender_already_claimed"
    TENDER_NOT_CLAIMED = "tender_not_claimed"
    NOT_ASSIGNEE = "not_assignee"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    INSURER_ALREADY_INVITED = "insurer_already_invited"
    REQUEST_NOT_OPEN = "request_not_open"
    QUOTE_DEADLINE_PASSED = "quote_deadline_passed"
    DEADLINE_NOT_LATER = "deadline_not_later"
    DEADLINE_TOO_FAR = "deadline_too_far"
    QUOTE_EXPIRED = "quote_expired"
    QUOTE_VALIDITY_TOO_LONG = "quote_validity_too_long"
    QUOTE_NOT_RELEASED = "quote_not_released"
    NOTHING_TO_RELEASE = "nothing_to_release"
    NOTHING_TO_ANSWER = "nothing_to_answer"
    NOTHING_TO_RESUBMIT = "nothing_to_resubmit"
    TOO_MANY_INSURERS = "too_many_insurers"
