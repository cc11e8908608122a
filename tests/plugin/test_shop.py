import httpx2
import pytest
from shop_app import app, receipts_sent

from upstash_qstash.testing import AppServer, LocalQStash


@pytest.fixture(autouse=True)
def no_receipts_yet() -> None:
    receipts_sent.clear()


@pytest.mark.qstash(app=app)
def test_the_receipt_goes_out_a_day_after_the_order(
    qstash_app: AppServer, qstash_server: LocalQStash
) -> None:
    order = {"order": 42, "email": "ada@example.com"}
    response = httpx2.post(f"{qstash_app.url}/orders", json=order)
    assert response.status_code == 200

    qstash_server.advance(23 * 3600)  # nothing is due yet
    assert receipts_sent == []

    qstash_server.advance(3600)  # a day after the order: delivered, verified, handled
    assert receipts_sent == [order]


@pytest.mark.qstash(app=app)
def test_a_forged_call_is_rejected(qstash_app: AppServer) -> None:
    response = httpx2.post(
        f"{qstash_app.url}/jobs/receipt",
        json={"order": 1},
        headers={"Upstash-Signature": "not-a-token"},
    )
    assert response.status_code == 401
    assert receipts_sent == []
