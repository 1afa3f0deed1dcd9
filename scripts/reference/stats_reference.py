#!/usr/bin/python3
"""Reference values for PleinAir's replicate statistics (issue 15), from SciPy.

Run with Debian's SciPy: /usr/bin/python3 scripts/reference/stats_reference.py
Writes Tests/StatisticsTests/Fixtures/stats_reference.json: Student-t quantiles and CDF values,
t intervals of replicate means, Wilcoxon signed-rank tests (scipy.stats.wilcoxon with its defaults)
and exact sign tests (scipy.stats.binomtest at p = 1/2) on fixed inputs.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(root, "Tests", "StatisticsTests", "Fixtures", "stats_reference.json")

quantiles = [{"p": p, "df": df, "t": float(stats.t.ppf(p, df))}
             for df in [1, 2, 3, 4, 5, 9, 29, 100] for p in [0.6, 0.9, 0.95, 0.975, 0.995]]
cdfs = [{"t": t, "df": df, "cdf": float(stats.t.cdf(t, df))}
        for df in [1, 2.5, 7, 40] for t in [-3.2, -0.4, 0.0, 0.7, 2.1, 12.0]]

samples = [
    [0.61, 0.58, 0.66],
    [27.1, 26.4, 27.9, 26.8, 27.3],
    [123456.78901234567, 123456.7890123, 123456.79],
    [1.0, 1.0, 1.0, 1.0],
    [3.5, -1.25, 0.0, 8.0, 2.75, 4.0, -0.5],
]
intervals = []
for values in samples:
    a = np.array(values)
    mean = float(a.mean())
    sd = float(a.std(ddof=1))
    low, high = stats.t.interval(0.95, len(a) - 1, loc=mean, scale=stats.sem(a)) if sd > 0 else (mean, mean)
    intervals.append({"values": values, "mean": mean, "sd": sd, "low": float(low), "high": float(high)})

differences = [
    [0.5, 1.5, 2.0],
    [1.2, -0.4, 2.5, 3.1, 0.7],
    [0.3, -0.3, 0.9, 1.4, -0.2, 0.8, 2.2, 0.05],
    [1.0, 1.0, -2.0, 3.0, 3.0, 0.5],                     # ties, exact mode
    [0.0, 1.5, -0.5, 2.5, 0.0, 1.0, 3.0, -1.0, 2.0, 0.7, 0.9, 1.1],  # zeros: normal approximation
    [float(x) for x in np.round(np.sin(np.arange(60)) + 0.3, 6)],   # 60 pairs: normal approximation
]
wilcoxon = []
sign = []
for d in differences:
    r = stats.wilcoxon(d)
    wilcoxon.append({"differences": d, "statistic": float(r.statistic), "p": float(r.pvalue)})
    pos, neg = sum(1 for x in d if x > 0), sum(1 for x in d if x < 0)
    sign.append({"differences": d, "p": float(stats.binomtest(pos, pos + neg, 0.5).pvalue)})

with open(out, "w") as f:
    json.dump({"scipy": scipy.__version__, "t_quantiles": quantiles, "t_cdf": cdfs, "intervals": intervals,
               "wilcoxon": wilcoxon, "sign": sign}, f, indent=1)
print(f"wrote {out}")
