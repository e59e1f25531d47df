"""Round 4, batch 9: the --max-bytes cut landing on a YAML list item or on the line a
shell prompt printed (the cut must not start there)."""
from redteam import case
from canary import pw

FILL = "".join(f"2026-01-01T00:00:{i % 60:02d}Z info step {i} ok\n" for i in range(40))
for k, delta in enumerate(range(350, 410, 3)):
    def reg(k=k, delta=delta):
        c = pw(f"cut-prompt{k}")
        tail = f"{c}\n" + FILL
        budget = len(tail.encode()) + delta
        @case(f"r19 cut after prompt budget {delta:+d}", c, args=["--max-bytes", str(budget)])
        def _(h): h.log("term.log", "head line\n" * 50 + "$ printenv OPENAI_API_KEY\n" + tail)
        c2 = pw(f"cut-list{k}")
        tail2 = f"- {c2}\n" + FILL
        budget2 = len(tail2.encode()) + delta
        @case(f"r19 cut inside yaml list budget {delta:+d}", c2, args=["--max-bytes", str(budget2)])
        def _(h): h.log("conf.log", "head line\n" * 50 + "api_keys:\n" + tail2)
    reg()
