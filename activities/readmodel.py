"""Read-model activities: project a workflow step, resolve a tender's policy.

Sync activities: the worker runs them in its thread pool, the workflow as local
activities. Database errors propagate and are retried; a notice that cannot be
rendered fails without retry (NoticeTemplateError). Logs carry ids only.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy import Engine
from temporalio import activity

from activities.notices import render_notice
from models.policy import PolicyDecision
from models.projection import PolicyQuery, ProjectionBatch
from store import mapping, policies
from store.db import make_session_factory
from store.projection import apply_batch

logger = structlog.get_logger()


class ReadModelActivities:
    def __init__(self, engine: Engine, public_base_url: str | None = None) -> None:
        if public_base_url is None:
            from core.settings import get_settings

            public_base_url = get_settings().public_base_url
        self._engine = engine
        self._sessions = make_session_factory(engine)
        self._public_base_url = public_base_url

    @activity.defn(name="project_tender")
    def project_tender(self, batch: ProjectionBatch) -> None:
        outbox_rows = []
        for notification in batch.notifications:
            notice = render_notice(notification, batch.tender, self._public_base_url)
            outbox_rows.append(
                mapping.outbox_values(notification, notice.subject, notice.body)
            )

        with self._engine.begin() as connection:
            moved = apply_batch(connection, batch, outbox_rows, datetime.now(UTC))

        logger.info(
            "tender_projected",
            tender_id=batch.tender.tender_id,
            version=batch.tender.version,
            tender_moved=moved,
            requests=len(batch.requests),
            quotes=len(batch.quotes),
            messages=len(batch.messages),
            audit=len(batch.audit),
            notifications=len(batch.notifications),
        )

    @activity.defn(name="resolve_policy")
    def resolve_policy(self, query: PolicyQuery) -> PolicyDecision:
        with self._sessions() as session:
            decision = policies.resolve_policy(
                session, query.organisation_id, query.line_of_business
            )
        logger.info(
            "policy_resolved",
            organisation_id=query.organisation_id,
            line_of_business=query.line_of_business,
            policy=decision.policy.value,
        )
        return decision
