"""Decisions on FileStorage and on two RelStorage nodes: concurrency, visibility, restarts."""

import pytest
import requests
import threading
import time


PIN = "123456"
DECISION_ACTIONS = ("application.approve", "application.refuse")


def url(cluster, path, node=0):
    """The application's address on one node."""
    return f"http://127.0.0.1:{cluster.ports[node]}{path}"


def sign(cluster, path, node, transition="approve", reason=""):
    """@sign-server as approver1 on `node`."""
    return cluster.session("approver1", node).post(
        f"{url(cluster, path, node)}/@sign-server",
        json={"transition": transition, "reason": reason, "pin": PIN},
        timeout=120,
    )


def journal(cluster, node=0):
    """The whole audit journal, verified, as the auditor reads it."""
    answer = cluster.session("auditor", node).get(
        f"{cluster.urls[node]}/@audit-journal", params={"b_size": 500, "verify": 1}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def decisions_of(cluster, path):
    """Journal entries recording a decision on the application at `path`."""
    number = path.rsplit("/", 1)[1].upper()  # applications are named after their number
    return [
        entry
        for entry in journal(cluster)["items"]
        if entry["action"] in DECISION_ACTIONS and entry["target"] == number
    ]


def at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class TestConcurrentDecisions:
    def test_two_at_once_end_with_one_decision(self, cluster):
        """Approve and refuse at the same moment (two nodes on RelStorage): exactly one wins."""
        path = cluster.cases[0]
        last = cluster.nodes - 1
        first, second = at_once(
            lambda: sign(cluster, path, 0, "approve"),
            lambda: sign(cluster, path, last, "refuse", "材料与实际不符"),
        )
        statuses = sorted([first.status_code, second.status_code])
        assert statuses == [200, 409], (first.text, second.text)
        loser = first if first.status_code == 409 else second
        assert loser.json()["type"] == "already_decided"
        assert "已经" in loser.json()["message"]
        winner = "approved" if first.status_code == 200 else "refused"
        for node in range(cluster.nodes):
            state = cluster.session("approver1", node).get(url(cluster, path, node), timeout=30)
            assert state.json()["review_state"] == winner
        recorded = decisions_of(cluster, path)
        assert len(recorded) == 1
        assert recorded[0]["fingerprint"]
        assert journal(cluster)["verification"]["ok"] is True


class TestVisibility:
    def test_decision_on_one_node_is_read_at_once_on_the_other(self, cluster):
        path = cluster.cases[1]
        assert sign(cluster, path, 0).status_code == 200
        other = cluster.nodes - 1
        status = cluster.session("applicant1", other).get(url(cluster, path, other), timeout=30)
        assert status.json()["review_state"] == "approved"
        verify = cluster.session("auditor", other).get(
            f"{cluster.urls[other]}/@audit-journal", params={"verify": 1}, timeout=60
        )
        assert verify.json()["verification"]["ok"] is True


class TestRestart:
    def test_decision_and_journal_survive_a_restart(self, cluster):
        path = cluster.cases[2]
        assert sign(cluster, path, 0, "refuse", "申请材料不齐全").status_code == 200
        head = journal(cluster)["head"]
        cluster.stop()
        cluster.start()
        after = cluster.session("approver1", cluster.nodes - 1).get(
            url(cluster, path, cluster.nodes - 1), timeout=30
        )
        assert after.json()["review_state"] == "refused"
        again = journal(cluster)
        assert again["head"] == head
        assert again["verification"]["ok"] is True
        assert len(decisions_of(cluster, path)) == 1


def verified(cluster, path, node=0):
    """The public verification of the application's decision (number + query code)."""
    number = path.rsplit("/", 1)[1].upper()
    return requests.get(
        f"{cluster.urls[node]}/@verify",
        params={"number": number, "code": cluster.codes[path]},
        headers={"Accept": "application/json"},
        timeout=60,
    )


def swallow_disconnect(call):
    """Run `call`; a connection cut by the killed server is the expected outcome."""
    try:
        return call()
    except requests.ConnectionError:
        return None


class TestKilledMidDecision:
    """The node dies during a signed decision: the application is fully decided or untouched."""

    @pytest.mark.parametrize(("case", "delay"), [(3, 0.05), (4, 0.25), (5, 0.6), (6, 1.5)])
    def test_decided_with_everything_or_untouched(self, cluster, case, delay):
        path = cluster.cases[case]
        request = threading.Thread(
            target=swallow_disconnect, args=(lambda: sign(cluster, path, 0),)
        )
        request.start()
        time.sleep(delay)
        cluster.kill(0)
        request.join()
        cluster.start([0])
        state = cluster.session("approver1").get(url(cluster, path), timeout=30).json()
        recorded = decisions_of(cluster, path)
        if state["review_state"] == "approved":
            assert len(recorded) == 1
            report = verified(cluster, path).json()
            assert report["ok"] is True and report["matches_record"] is True
        else:
            assert state["review_state"] == "accepted"
            assert recorded == []
            assert verified(cluster, path).status_code == 404
            assert sign(cluster, path, 0).status_code == 200
        assert journal(cluster)["verification"]["ok"] is True


class TestDatabaseRestart:
    @pytest.mark.parametrize("cluster", ["relstorage"], indirect=True)
    def test_nodes_carry_on_after_postgres_restarts(self, cluster, postgres):
        """PostgreSQL restarts under both nodes: they reconnect, nothing is lost."""
        decided = cluster.cases[1]
        path = cluster.cases[7]
        postgres.restart()
        for node in range(cluster.nodes):
            answers = [
                cluster.session("approver1", node).get(url(cluster, path, node), timeout=30)
                for _attempt in range(3)
            ]
            assert answers[-1].status_code == 200, [a.status_code for a in answers]
            assert all("Traceback" not in answer.text for answer in answers)
        assert sign(cluster, path, 1).status_code == 200
        for node in range(cluster.nodes):
            states = [
                cluster.session("approver1", node).get(url(cluster, p, node), timeout=30).json()
                for p in (decided, path)
            ]
            assert [state["review_state"] for state in states] == ["approved", "approved"]
        assert journal(cluster)["verification"]["ok"] is True
