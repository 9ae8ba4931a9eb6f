"""`content check` reports every problem with its file and id, and each bank rule can fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.content.bank import load_bank, parse_file
from bot.content.check import Rules, check_bank

REPO = Path(__file__).resolve().parents[1]
WORDS = ["a clerk files", "the manager audits", "a patient phones", "the coder reviews", "a nurse asks",
         "the biller posts", "an intern scans", "the doctor signs", "a payer denies", "the lab faxes",
         "a vendor ships", "the auditor samples"]
TOPICS = {1: ["medical terminology", "hipaa privacy rule"], 5: ["claim forms"]}


def question(n: int, answer: str = "A", domain: int = 1, **changes: Any) -> dict[str, Any]:
    q: dict[str, Any] = {
        "id": f"d{domain}-{n:04d}", "domain": domain,
        "topic": "claim forms" if domain == 5 else ("medical terminology" if n % 2 else "hipaa privacy rule"),
        "difficulty": 2, "stem": f"In scenario {n}, {WORDS[n % len(WORDS)]} which form fits best?",
        "choices": [f"Alpha {n}", f"Bravo {n}", f"Charlie {n}", f"Delta {n}"], "answer": answer,
        "explanation": "The keyed form is the professional claim; the tempting one is institutional.",
        "source": "CMS Medicare Claims Processing Manual, ch. 26 (rev. 2025)",
    }
    q.update(changes)
    return q


def write_bank(root: Path, questions: list[dict[str, Any]], verdicts: str | None = "pass") -> Path:
    qdir = root / "questions"
    qdir.mkdir(parents=True)
    by_domain: dict[int, list[dict[str, Any]]] = {}
    for q in questions:
        by_domain.setdefault(int(q.get("domain", 1)), []).append(q)
    for domain, items in by_domain.items():
        (qdir / f"d{domain}.yaml").write_text(yaml.safe_dump(items, sort_keys=False))
    (root / "topics.yaml").write_text(yaml.safe_dump(TOPICS))
    if verdicts:
        (root / "reviews").mkdir()
        log = {"file": "all", "writer": "w", "reviewer": "r", "verdicts": [
            {"id": q["id"], "verdict": verdicts, "checked": "source", "note": "n"} for q in questions]}
        (root / "reviews" / "all.yaml").write_text(yaml.safe_dump(log))
    return qdir


def balanced(count: int = 8, domain: int = 1) -> list[dict[str, Any]]:
    return [question(n, "ABCD"[n % 4], domain) for n in range(1, count + 1)]


NO_MINIMUMS = Rules(minimums={}, topic_minimum=1)


def messages(qdir: Path, rules: Rules = NO_MINIMUMS) -> list[str]:
    return [str(p) for p in check_bank(qdir, rules).problems]


def test_a_good_bank_passes(tmp_path: Path) -> None:
    d5 = [question(n, "ABCD"[n % 4], 5) for n in range(9, 13)]  # scenarios unlike D1's
    qdir = write_bank(tmp_path, balanced() + d5)
    report = check_bank(qdir, Rules(minimums={1: 8, 5: 4}, topic_minimum=1))
    assert [str(p) for p in report.problems] == []
    assert "12 questions, 0 problem(s)" in report.summary() and "review: pass 12" in report.summary()


def test_format_problems_name_file_and_id(tmp_path: Path) -> None:
    bad = [
        question(1, choices=["only", "three", "choices"]),
        question(2, answer="E"),
        question(3, stem="Too short?"),
        question(4, explanation="Short."),
        question(5, choices=["x" * 101, "b", "c", "d"]),
        question(6, difficulty=4),
        question(7, extra="field"),
        {**question(8), "domain": 2},
        question(9, choices=["All of the above", "b", "c", "d"]),
        question(10, choices=["Same", "same", "c", "d"]),
        question(11, stem="Which of these is not a covered entity under the rule?"),
        question(12, choices=["A and B", "b", "c", "d"]),
    ]
    (tmp_path / "questions").mkdir()
    path = tmp_path / "questions" / "d1.yaml"
    path.write_text(yaml.safe_dump(bad, sort_keys=False))
    _, problems = parse_file(path)
    found = {p.item: p.message for p in problems}
    assert all(p.file == "d1.yaml" for p in problems)
    expected = {"d1-0001": "choices", "d1-0002": "answer", "d1-0003": "stem",
                "d1-0004": "explanation", "d1-0005": "choices", "d1-0006": "difficulty",
                "d1-0007": "extra", "d1-0008": "prefix", "d1-0009": "banned",
                "d1-0010": "distinct", "d1-0011": "negative", "d1-0012": "banned"}
    for qid, word in expected.items():
        assert word in found.get(qid, ""), (qid, found.get(qid))


def test_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    qdir = tmp_path / "questions"
    qdir.mkdir()
    (qdir / "d1.yaml").write_text("- id: [unclosed\n")
    (qdir / "d2.yaml").write_text("just: a mapping\n")
    problems = messages(qdir)
    assert any("d1.yaml: file: unreadable" in p for p in problems)
    assert any("d2.yaml: file: must be a YAML list" in p for p in problems)


def test_domain_minimums(tmp_path: Path) -> None:
    qdir = write_bank(tmp_path, balanced())
    assert "bank: D1: 8 questions, needs at least 9" in messages(qdir, Rules(minimums={1: 9},
                                                                            topic_minimum=1))
    assert messages(qdir, Rules(minimums={1: 8}, topic_minimum=1)) == []


def test_letter_balance(tmp_path: Path) -> None:
    qdir = write_bank(tmp_path, [question(n, "A" if n < 5 else "BCD"[n % 3]) for n in range(1, 11)])
    problems = messages(qdir)
    assert any("key A: 40% of keys, must be 20%-30%" in p for p in problems)


def test_share_of_application_questions(tmp_path: Path) -> None:
    qs = balanced()
    for q in qs[:5]:
        q["difficulty"] = 1
    assert any("38% are difficulty 2-3" in p for p in messages(write_bank(tmp_path, qs)))


def test_topics_must_exist_and_be_covered(tmp_path: Path) -> None:
    qs = balanced()
    for q in qs:
        q["topic"] = "medical terminology"
    qs[0]["topic"] = "astrology"
    problems = messages(write_bank(tmp_path, qs))
    assert "d1: d1-0001: topic 'astrology' is not a D1 topic" in problems
    assert "d1: coverage: 0 question(s) on topic 'hipaa privacy rule', needs at least 1" in problems


def test_every_topic_needs_its_minimum_and_every_source_a_year(tmp_path: Path) -> None:
    qs = balanced()
    for q in qs:
        q["topic"] = "medical terminology"
    qs[0]["topic"] = "hipaa privacy rule"
    qs[1]["source"] = "Chabner, The Language of Medicine, ch. 3"
    problems = messages(write_bank(tmp_path, qs), Rules(minimums={}, topic_minimum=4))
    assert "d1: coverage: 1 question(s) on topic 'hipaa privacy rule', needs at least 4" in problems
    assert not any("'medical terminology'" in p for p in problems)  # 7 of them
    assert "d1: d1-0002: source names no year or edition (e.g. '... (2024)')" in problems


def test_a_later_review_replaces_an_earlier_verdict(tmp_path: Path) -> None:
    qs = balanced()
    qdir = write_bank(tmp_path, qs, verdicts="pass")
    later = {"file": "all", "writer": "w", "reviewer": "r2", "reviewed_on": "2026-12-06", "verdicts": [
        {"id": "d1-0003", "verdict": "dropped", "checked": "source", "note": "wrong key"}]}
    (qdir.parent / "reviews" / "a-recheck.yaml").write_text(yaml.safe_dump(later))  # sorts first
    assert "d1: d1-0003: was dropped by review" in messages(qdir)


def test_near_duplicate_stems(tmp_path: Path) -> None:
    qs = balanced()
    qs[1]["stem"] = "Which claim form does a physician practice use to bill professional services?"
    qs[2]["stem"] = "Which claim form does a physician practice use to bill its professional services?"
    assert "d1: d1-0003: stem nearly duplicates d1-0002" in messages(write_bank(tmp_path, qs))


def test_review_is_required_for_every_question(tmp_path: Path) -> None:
    unreviewed = write_bank(tmp_path / "a", balanced(), verdicts=None)
    assert sum("has no review verdict" in p for p in messages(unreviewed)) == 8
    dropped = write_bank(tmp_path / "b", balanced(), verdicts="dropped")
    assert sum("was dropped by review" in p for p in messages(dropped)) == 8


def test_review_log_rules(tmp_path: Path) -> None:
    qdir = write_bank(tmp_path, balanced())
    log = yaml.safe_load((tmp_path / "reviews" / "all.yaml").read_text())
    log["reviewer"] = log["writer"]
    log["verdicts"][0]["verdict"] = "fixed"
    log["verdicts"][0]["note"] = ""
    log["verdicts"][1]["checked"] = ""
    log["verdicts"][2]["verdict"] = "maybe"
    (tmp_path / "reviews" / "all.yaml").write_text(yaml.safe_dump(log))
    problems = messages(qdir)
    assert "all.yaml: file: the reviewer must not be the writer" in problems
    assert "all.yaml: d1-0001: fixed without a note saying why" in problems
    assert "all.yaml: d1-0002: verdict without what it was checked against" in problems
    assert "all.yaml: d1-0003: unknown verdict 'maybe'" in problems


def test_the_shipped_bank_passes_every_rule() -> None:
    report = check_bank(REPO / "content" / "questions")
    assert [str(p) for p in report.problems] == []
    assert len(load_bank(REPO / "content" / "questions")) == len(report.questions) >= 400
