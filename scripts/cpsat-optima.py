#!/usr/bin/env python3
"""Proven optima of the planner's benchmark moves, from an exact CP-SAT model of the same rules.

    cargo run --release --example instances -- --out /tmp/instances
    pip install ortools
    python3 scripts/cpsat-optima.py /tmp/instances/*.json > benches/data/optima.json

Each input is a move as the planner sees it (src/synth.rs `problem_json`): groups, the per-night
limits (R1 machines and units, R3 one per service with a cap, R5 labour) and what each group takes
of them, each group's allowed nights, and the services with their R4 need and dependencies. The
model (order encoding: y[g][b] = "group g has moved by night b"):

- every group moves exactly once, within its allowed nights;
- every limit holds every night;
- R4: when service s depends on t, a group carrying s is across by night b only if t's need is
  across by night b (the same night counts);
- fewest nights first (decision problems "a plan in exactly k nights?" from each limit's total
  over its cap upwards: proven when every smaller k is proven infeasible); then, at that number,
  the least weighted downtime (a service that must go down is down every night one of its
  replicas moves).

An empty night in the middle can always be closed up (every rule is about nights relative to each
other) when no group has an earliest night, which is the case for these moves.
"INFEASIBLE" means no plan within `horizon` nights (the planner's own count when it found a plan,
else MAX_HORIZON). Prints one JSON object: {"solver": ..., "instances": [{name, status, batches, bound, seconds,
downtime, downtime_proven, ...}]}.
"""

import json
import sys
import time

from ortools.sat.python import cp_model

WORKERS = 2
LIMIT_S = 60.0
DOWNTIME_LIMIT_S = 30.0
# When the planner finds no plan, the horizon would be every group a night: too large a model
# beyond this many nights, so the answer is then "no plan within this many nights".
MAX_HORIZON = 60


def build(inst, horizon):
    """The model over `horizon` nights; returns (model, y, x, nights_used)."""
    m = cp_model.CpModel()
    n_groups = inst["groups"]
    H = horizon
    y = [[m.NewBoolVar(f"y{g}_{b}") for b in range(H)] for g in range(n_groups)]
    x = [[None] * H for _ in range(n_groups)]
    for g in range(n_groups):
        first, last = inst["domain"][g]
        m.Add(y[g][H - 1] == 1)
        for b in range(H):
            if b > 0:
                m.AddImplication(y[g][b - 1], y[g][b])
            if b < first:
                m.Add(y[g][b] == 0)
            if last is not None and b >= last:
                m.Add(y[g][b] == 1)
        for b in range(H):
            # x[g][b] = y[g][b] - y[g][b-1]: the night the group moves.
            x[g][b] = m.NewBoolVar(f"x{g}_{b}")
            prev = y[g][b - 1] if b > 0 else 0
            m.Add(x[g][b] == y[g][b] - prev)
    # Nights used: night b is used when some group has not moved before it.
    used = [m.NewBoolVar(f"used{b}") for b in range(H)]
    for g in range(n_groups):
        for b in range(1, H):
            # Group g not across by night b-1 means night b-1 or later is used.
            m.AddImplication(y[g][b - 1].Not(), used[b])
    for b in range(1, H):
        m.AddImplication(used[b], used[b - 1])
    m.Add(used[0] == 1)
    # Limits: per dimension, the groups that take some of it. A night not used holds nothing
    # (the same rule, stated so that the linear relaxation sees it).
    users = {}
    for g, dem in enumerate(inst["demand"]):
        for dim, amount in dem:
            if amount > 0:
                users.setdefault(dim, []).append((g, amount))
    for dim, gs in users.items():
        cap = inst["limits"][dim]
        if sum(a for _, a in gs) <= cap and dim > 1:
            continue
        for b in range(H):
            m.Add(sum(a * x[g][b] for g, a in gs) <= cap * used[b])
    # R4.
    if inst["dependencies_first"]:
        svcs = inst["services"]
        for s in svcs:
            for t in s["deps"]:
                need = svcs[t]["need"]
                if need == 0:
                    continue
                for g, _ in s["moving"]:
                    for b in range(H):
                        m.Add(need * y[g][b] <= sum(c * y[h][b] for h, c in svcs[t]["moving"]))
    return m, y, x, used


def downtime_terms(inst, x, H, m):
    """Weighted downtime: a service that must go down (no cap) is down every night it moves."""
    terms = []
    for i, s in enumerate(inst["services"]):
        if s["cap"] is not None:
            continue
        for b in range(H):
            down = m.NewBoolVar(f"down{i}_{b}")
            for g, _ in s["moving"]:
                m.AddImplication(x[g][b], down)
            terms.append(s["weight"] * down)
    return terms


def trivial_bound(inst):
    """Each limit's total over its cap, rounded up (what any plan needs; sound on its own)."""
    totals = [0] * len(inst["limits"])
    for dem in inst["demand"]:
        for dim, amount in dem:
            totals[dim] += amount
    return max([1] + [-(-t // max(1, c)) for t, c in zip(totals, inst["limits"])])


def feasible(inst, nights, limit_s):
    """Whether a plan in exactly `nights` nights exists: (status name, solver, y) ."""
    m, y, x, used = build(inst, nights)
    for u in used:
        m.Add(u == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = max(0.1, limit_s)
    status = solver.Solve(m)
    return solver.StatusName(status), solver, y


def solve(inst):
    """The fewest nights: decision problems from a trivial bound up. Proven when every smaller
    count was proven infeasible and this one has a plan, within LIMIT_S in all."""
    H = max(1, min(inst["horizon"], MAX_HORIZON))
    out = {k: inst[k] for k in ("name", "shape", "size", "seed", "per_night", "groups", "machines")}
    out["horizon"] = H
    t = time.monotonic()
    proven = True
    found = None
    bound = trivial_bound(inst)
    # First any plan within the horizon: a move whose services wait on each other in a cycle is
    # proven to have none quickly this way, and a plan found caps the counts to try.
    m, y, x, used = build(inst, H)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.max_time_in_seconds = LIMIT_S / 2
    status = solver.StatusName(solver.Solve(m))
    if status == "INFEASIBLE":
        out["seconds"] = round(time.monotonic() - t, 3)
        out["bound"] = H + 1
        out["status"] = "INFEASIBLE"
        out["batches"] = None
        return out
    if status in ("OPTIMAL", "FEASIBLE"):
        H = sum(solver.Value(u) for u in used)
        found = (H, solver, y)
    for k in range(bound, H):
        left = LIMIT_S - (time.monotonic() - t)
        if left <= 0:
            break
        status, solver_k, y_k = feasible(inst, k, left)
        if status in ("OPTIMAL", "FEASIBLE"):
            found = (k, solver_k, y_k)
            break
        if status == "INFEASIBLE":
            if proven:
                bound = k + 1
        else:
            proven = False
    out["seconds"] = round(time.monotonic() - t, 3)
    out["bound"] = bound
    if found is None:
        out["status"] = "UNKNOWN"
        out["batches"] = None
        return out
    batches, solver, y = found
    out["batches"] = batches
    out["status"] = "OPTIMAL" if proven and bound == batches else "FEASIBLE"
    # Second: the least downtime at that number of nights.
    m2, y2, x2, used2 = build(inst, batches)
    terms = downtime_terms(inst, x2, batches, m2)
    m2.Minimize(sum(terms) if terms else 0)
    for g in range(inst["groups"]):
        for b in range(batches):
            m2.AddHint(y2[g][b], solver.Value(y[g][b]))
    s2 = cp_model.CpSolver()
    s2.parameters.num_workers = WORKERS
    s2.parameters.max_time_in_seconds = DOWNTIME_LIMIT_S
    st2 = s2.Solve(m2)
    if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out["downtime"] = int(round(s2.ObjectiveValue()))
        out["downtime_bound"] = int(round(s2.BestObjectiveBound()))
        out["downtime_proven"] = st2 == cp_model.OPTIMAL
    return out


def main():
    results = []
    # Smallest moves first.
    insts = []
    for path in sys.argv[1:]:
        with open(path) as f:
            insts.append(json.load(f))
    insts.sort(key=lambda i: (i["size"], i["shape"], i["seed"]))
    for inst in insts:
        r = solve(inst)
        print(f"{r['name']}: {r['status']} {r['batches']} (bound {r['bound']}) in {r['seconds']} s",
              file=sys.stderr, flush=True)
        results.append(r)
    import ortools
    doc = {
        "solver": f"OR-Tools CP-SAT {ortools.__version__}, {WORKERS} workers, {LIMIT_S:.0f} s per move",
        "instances": results,
    }
    json.dump(doc, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
