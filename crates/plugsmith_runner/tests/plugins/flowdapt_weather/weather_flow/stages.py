import random

from flowdapt.compute.resources.workflow.context import get_run_context


def create_data(n_points: int, seed: int, city: str):
    rng = random.Random(seed)
    return [{"city": city, "t": round(10 + rng.random() * 15, 2)} for _ in range(n_points)]


def summarize(rows):
    ctx = get_run_context()
    temps = [r["t"] for r in rows]
    return {"workflow": ctx.run["workflow"], "n": len(temps), "mean": round(sum(temps) / len(temps), 3)}
