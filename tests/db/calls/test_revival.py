"""Revival measured on a real database: a dormant account touched, a deal opened on it and won show in the KPIs
of the account's owner (of whoever touched it when nobody owns it), per period; an undone touch revives
nothing."""

from __future__ import annotations

from datetime import timedelta

from revdesk.core.common.when import to_stored
from revdesk.db.common.connection import transaction
from revdesk.db.workbench import Workbench
from tests.dormant_factories import add_customer
from tests.factories import NOW, fixed_clock


def _contact(store, account: int) -> int:
    return store.conn.execute("SELECT id FROM contacts WHERE account_id = ?", (account,)).fetchone()[0]


def _revival(bench: Workbench, period: str = "month") -> dict[str, float]:
    metrics = bench.kpi(period).metrics
    return {k: metrics[k].actual for k in ("dormant_revived", "revived_deals", "revived_revenue")}


def test_touch_deal_and_win_are_the_owner_s_revival(store):
    account = add_customer(store, "Sleepy", owner_id=2, revenue=40_000, quiet_days=500, currency="GBP")
    orphan = add_customer(store, "Orphan", owner_id=None, revenue=9_000, quiet_days=500)
    maya = Workbench.open(store, "maya", fixed_clock)
    maya.log_call(_contact(store, account), "connected")  # Tom's account: Tom's revival
    maya.log_call(_contact(store, orphan), "voicemail")  # nobody's: Maya's
    tom = Workbench.open(store, "tom", fixed_clock)
    assert _revival(tom) == {"dormant_revived": 1, "revived_deals": 0, "revived_revenue": 0}
    assert _revival(maya) == {"dormant_revived": 1, "revived_deals": 0, "revived_revenue": 0}
    with transaction(store.conn):  # Tom opens a deal on it and wins it, in USD
        store.conn.execute(
            "INSERT INTO deals (account_id, name, amount, currency, stage, owner_id, closed_at, won, created_at,"
            " stage_entered_at) VALUES (?, 'Comeback', 10000, 'USD', 'closed_won', 2, ?, 1, ?, ?)",
            (account, to_stored(NOW + timedelta(hours=2)), to_stored(NOW + timedelta(hours=1)),
             to_stored(NOW + timedelta(hours=2))))
    later = Workbench.open(store, "tom", lambda: NOW + timedelta(hours=3))
    rate = later.playbook.currency.rates["USD"]
    assert _revival(later) == {"dormant_revived": 1, "revived_deals": 1, "revived_revenue": round(10_000 * rate, 2)}
    assert _revival(Workbench.open(store, "maya", lambda: NOW + timedelta(hours=3)))["revived_deals"] == 0
    assert _revival(Workbench.open(store, "tom", lambda: NOW + timedelta(days=40))) == {
        "dormant_revived": 0, "revived_deals": 0, "revived_revenue": 0}, "next month: nothing new"


def test_an_undone_touch_revives_nothing(store):
    account = add_customer(store, "Sleepy", owner_id=2, revenue=40_000, quiet_days=500)
    tom = Workbench.open(store, "tom", fixed_clock)
    assert account in [i.account_id for i in tom.queue() if i.kind == "dormant"], "picked for today"
    maya = Workbench.open(store, "maya", fixed_clock)
    maya.log_call(_contact(store, account), "voicemail")
    assert account not in [i.account_id for i in tom.queue() if i.kind == "dormant"], "touched: out of the queue"
    assert _revival(tom)["dormant_revived"] == 1
    maya.undo()
    assert _revival(tom)["dormant_revived"] == 0
    assert account in [i.account_id for i in tom.queue() if i.kind == "dormant"], "dormant again: the pick is back"
