"""Typed search attributes the tender workflow keeps current for ops.

None of them carries personal data: ids, codes, counts and dates only.
"""

from temporalio.common import SearchAttributeKey

TENDER_STATUS = SearchAttributeKey.for_keyword("TenderStatus")
PROCESSING_MODE = SearchAttributeKey.for_keyword("ProcessingMode")
LINE_OF_BUSINESS = SearchAttributeKey.for_keyword("LineOfBusiness")
BROKER_ORGANISATION = SearchAttributeKey.for_keyword("BrokerOrganisation")
ASSIGNEE = SearchAttributeKey.for_keyword("Assignee")
QUOTE_DEADLINE = SearchAttributeKey.for_datetime("QuoteDeadline")
OPEN_REQUESTS = SearchAttributeKey.for_int("OpenRequests")

ALL = [
    TENDER_STATUS,
    PROCESSING_MODE,
    LINE_OF_BUSINESS,
    BROKER_ORGANISATION,
    ASSIGNEE,
    QUOTE_DEADLINE,
    OPEN_REQUESTS,
]
