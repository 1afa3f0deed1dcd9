#!/usr/bin/python3
"""Reference values for the user-study statistics, computed with SciPy (Debian python3-scipy).

Run from the repository root with /usr/bin/python3:
    /usr/bin/python3 scripts/reference/study_reference.py
Writes Tests/StatisticsTests/Fixtures/study_reference.json: for fixed counts (k successes of n), SciPy's
two-sided exact binomial test against 50% and its Wilson 95% interval (no continuity correction).
"""
import json
import os

import scipy
from scipy.stats import binomtest

COUNTS = [(0, 1), (1, 1), (0, 10), (3, 10), (5, 10), (7, 10), (10, 10), (12, 20), (15, 20), (1, 25),
          (31, 50), (18, 37), (60, 100), (45, 100), (90, 150), (301, 500), (250, 500), (512, 1000)]


def main():
    cases = []
    for k, n in COUNTS:
        result = binomtest(k, n, p=0.5, alternative="two-sided")
        ci = result.proportion_ci(confidence_level=0.95, method="wilson")
        cases.append({"k": k, "n": n, "p_value": float(result.pvalue), "wilson_low": float(ci.low), "wilson_high": float(ci.high)})
    out = os.path.join("Tests", "StatisticsTests", "Fixtures", "study_reference.json")
    with open(out, "w") as f:
        json.dump({"scipy": scipy.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
