from pathlib import Path

import pytest

from models.tender import TenderCreate

EXAMPLES_DIR = Path(__file__).parent.parent / "examples" / "tenders"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))


def test_there_are_at_least_three_example_tenders():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_tender_is_a_valid_start_body(path: Path):
    tender = TenderCreate.model_validate_json(path.read_text(encoding="utf-8"))

    assert tender.routing_out_reasons, "a tender exists because engines routed out"
