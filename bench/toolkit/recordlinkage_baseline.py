#!/usr/bin/env python3
"""Baseline: the Python Record Linkage Toolkit (J535D165/recordlinkage) on our fixtures.

This driver is our code. The toolkit itself is NOT part of this repository: it
is imported from PYTHONPATH (see bench/toolkit/README.md for how to obtain it
on a machine without PyPI). If the toolkit or the fixtures are missing, the
driver says so and exits 0.

What it runs is the toolkit's *unsupervised* pipeline, configured the way
its own documentation shows it (no labels are used for training):

  index    recordlinkage.Index: a union of Block rules and a SortedNeighbourhood
           rule (the same template for every dataset, see INDEX_RULES below)
  compare  recordlinkage.Compare: Jaro-Winkler with threshold 0.85 on the two
           name fields, exact comparison on every other field
  classify ECMClassifier(binarize=0.8)  (headline; as in the toolkit's docs)
           KMeansClassifier()           (second line; as in the toolkit's docs)

The toolkit stops at pairwise links. We then score those links against the
fixtures' ground truth (README of the fixtures folder):

  * dedup data: a true pair is any within-cluster pair (n*(n-1)/2 per cluster)
  * febrl4:     the 5,000 cross-file pairs rec-N-org (4a) <-> rec-N-dup-0 (4b)

Recall is computed over ALL true pairs, so true pairs that the index never
proposed count as missed. Two figures are reported per classifier:

  * "raw": the toolkit's pairwise links as returned;
  * "cc":  the same links closed under connected components (every pair inside
           a connected component counts as predicted). This is the fairer
           comparison with a linker that clusters its links. The closure is our
           post-processing, not a toolkit step.

Usage (from the repository root):

    PYTHONPATH=/path/to/toolkit-src /usr/bin/python3 bench/toolkit/recordlinkage_baseline.py \
        [--only febrl3,febrl4,fake_1000,historical_50k] [--n-jobs 1] [--json-out FILE]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_FIXTURES = os.path.abspath(os.path.join(CHECKOUT, "..", "shared", "fixtures", "linkage"))

DATASETS = ["febrl3", "febrl4", "fake_1000", "historical_50k"]

JW_THRESHOLD = 0.85  # the threshold used in the toolkit's documentation examples


def _missing(msg):
    print("recordlinkage_baseline: " + msg)
    print("recordlinkage_baseline: nothing measured (exit 0).")
    sys.exit(0)


# --------------------------------------------------------------------------
# dataset definitions
# --------------------------------------------------------------------------

FEBRL_FIELDS = dict(
    first="given_name",
    last="surname",
    dob="date_of_birth",
    place="postcode",
    exact=["date_of_birth", "soc_sec_id", "street_number", "address_1", "suburb", "postcode", "state"],
    ident=["soc_sec_id"],
)

SPECS = {
    "febrl3": dict(kind="dedup", files=["febrl3.csv"], fields=FEBRL_FIELDS),
    "febrl4": dict(kind="link", files=["febrl4a.csv", "febrl4b.csv"], fields=FEBRL_FIELDS),
    "fake_1000": dict(
        kind="dedup",
        files=["fake_1000.csv"],
        fields=dict(
            first="first_name",
            last="surname",
            dob="dob",
            place="city",
            exact=["dob", "city", "email"],
            ident=["email"],
        ),
    ),
    "historical_50k": dict(
        kind="dedup",
        files=["historical_50k.csv"],
        fields=dict(
            first="first_name",
            last="surname",
            dob="dob",
            place="postcode_fake",
            exact=["dob", "postcode_fake", "birth_place", "gender"],
            # no identifier-like column: block on first name + birth place instead
            ident=["first_name", "birth_place"],
        ),
    ),
}


def INDEX_RULES(rl_index, f):
    """The index template, identical for every dataset (union of all rules)."""
    return [
        ("Block(%s)" % f["last"], rl_index.Block(f["last"])),
        ("Block(%s)" % f["dob"], rl_index.Block(f["dob"])),
        ("Block(%s)" % f["place"], rl_index.Block(f["place"])),
        (
            "SortedNeighbourhood(%s, window=5, block_on=%s)" % (f["last"], f["first"]),
            rl_index.SortedNeighbourhood(f["last"], window=5, block_on=f["first"]),
        ),
        ("Block(%s)" % "+".join(f["ident"]), rl_index.Block(f["ident"] if len(f["ident"]) > 1 else f["ident"][0])),
    ]


# --------------------------------------------------------------------------
# loading and ground truth
# --------------------------------------------------------------------------


def _read_csv(pd, path, febrl):
    df = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        skipinitialspace=febrl,
        encoding="utf-8",
    )
    df.columns = [c.strip() for c in df.columns]
    for c in df.columns:
        s = df[c].str.strip()
        df[c] = s.mask(s == "")  # empty field -> missing (NaN)
    return df


def load(pd, np, fixtures, name):
    spec = SPECS[name]
    febrl = name.startswith("febrl")
    frames = [_read_csv(pd, os.path.join(fixtures, fn), febrl) for fn in spec["files"]]
    out = []
    for df in frames:
        if febrl:
            df = df.set_index("rec_id", verify_integrity=True)
            ent = df.index.str.extract(r"^rec-(\d+)-", expand=False).values
        else:
            df = df.set_index("unique_id", verify_integrity=True)
            ent = df["cluster"].values
        out.append((df, ent))
    return out


# --------------------------------------------------------------------------
# scoring helpers (ours)
# --------------------------------------------------------------------------


def _prf(tp, n_pred, n_true):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_true if n_true else 0.0
    f = 2 * p * r / (p + r) if (p + r) else 0.0
    return dict(precision=round(p, 4), recall=round(r, 4), f1=round(f, 4), tp=int(tp), predicted_pairs=int(n_pred))


class Truth:
    """Ground truth over record positions.

    Dedup: one frame, entity code per row. Link: two frames, positions of the
    right frame are offset by len(left) so that one graph covers both.
    """

    def __init__(self, pd, np, frames, kind):
        self.pd, self.np, self.kind = pd, np, kind
        if kind == "dedup":
            (df, ent), = frames
            self.pos_a = pd.Series(np.arange(len(df)), index=df.index)
            self.pos_b = self.pos_a
            codes = pd.factorize(ent)[0]
            self.ent = codes
            sizes = np.bincount(codes)
            self.n_true = int((sizes * (sizes - 1) // 2).sum())
            self.n_nodes = len(df)
        else:
            (dfa, enta), (dfb, entb) = frames
            self.pos_a = pd.Series(np.arange(len(dfa)), index=dfa.index)
            self.pos_b = pd.Series(np.arange(len(dfb)) + len(dfa), index=dfb.index)
            codes = pd.factorize(np.concatenate([enta, entb]))[0]
            self.ent = codes
            self.is_b = np.r_[np.zeros(len(dfa), bool), np.ones(len(dfb), bool)]
            ca = np.bincount(codes[: len(dfa)], minlength=codes.max() + 1)
            cb = np.bincount(codes[len(dfa):], minlength=codes.max() + 1)
            self.n_true = int((ca * cb).sum())
            self.n_nodes = len(dfa) + len(dfb)

    def positions(self, pairs):
        np = self.np
        p0 = self.pos_a.reindex(pairs.get_level_values(0)).values
        p1 = self.pos_b.reindex(pairs.get_level_values(1)).values
        if self.kind == "dedup":
            p0, p1 = np.minimum(p0, p1), np.maximum(p0, p1)
        key = np.unique(p0.astype(np.int64) * self.n_nodes + p1.astype(np.int64))
        return key // self.n_nodes, key % self.n_nodes

    def score_raw(self, pairs):
        p0, p1 = self.positions(pairs)
        tp = int((self.ent[p0] == self.ent[p1]).sum())
        out = _prf(tp, len(p0), self.n_true)
        out["duplicate_pairs_dropped"] = int(len(pairs) - len(p0))
        return out

    def score_cc(self, pairs):
        np, pd = self.np, self.pd
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        p0, p1 = self.positions(pairs)
        g = coo_matrix((np.ones(len(p0), np.int8), (p0, p1)), shape=(self.n_nodes, self.n_nodes))
        n_comp, comp = connected_components(g, directed=False)
        if self.kind == "dedup":
            sz = np.bincount(comp)
            n_pred = int((sz * (sz - 1) // 2).sum())
            joint = pd.Series(1, index=pd.MultiIndex.from_arrays([comp, self.ent])).groupby(level=[0, 1]).size()
            tp = int((joint * (joint - 1) // 2).sum())
            largest = int(sz.max()) if len(sz) else 0
        else:
            a = np.bincount(comp[~self.is_b], minlength=n_comp)
            b = np.bincount(comp[self.is_b], minlength=n_comp)
            n_pred = int((a * b).sum())
            ja = pd.Series(1, index=pd.MultiIndex.from_arrays([comp[~self.is_b], self.ent[~self.is_b]])).groupby(level=[0, 1]).size()
            jb = pd.Series(1, index=pd.MultiIndex.from_arrays([comp[self.is_b], self.ent[self.is_b]])).groupby(level=[0, 1]).size()
            j = pd.concat([ja.rename("a"), jb.rename("b")], axis=1).fillna(0)
            tp = int((j["a"] * j["b"]).sum())
            largest = int((a + b).max()) if len(a) else 0
        out = _prf(tp, n_pred, self.n_true)
        out["largest_component"] = largest
        return out


# --------------------------------------------------------------------------
# machine / versions
# --------------------------------------------------------------------------


def _sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception as e:  # pragma: no cover - diagnostics only
        return "unavailable (%s)" % e


def machine_info():
    model = None
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return dict(
        nproc=_sh(["nproc"]),
        cpu_model=model or platform.processor(),
        uptime=_sh(["uptime"]),
        loadavg=[round(x, 2) for x in os.getloadavg()],
        platform=platform.platform(),
    )


def versions(rl, pd, np):
    import importlib.metadata as md

    import sklearn
    import scipy

    def v(name):
        try:
            return md.version(name)
        except Exception:
            return None

    return dict(
        recordlinkage=getattr(rl, "__version__", None),
        recordlinkage_source=os.path.dirname(rl.__file__),
        pandas=pd.__version__,
        numpy=np.__version__,
        sklearn=sklearn.__version__,
        scipy=scipy.__version__,
        jellyfish=v("jellyfish"),
        joblib=v("joblib"),
        python=platform.python_version(),
        python_executable=sys.executable,
    )


# --------------------------------------------------------------------------
# the pipeline (toolkit calls only)
# --------------------------------------------------------------------------


def run_dataset(rl, pd, np, fixtures, name, n_jobs):
    import recordlinkage.index as rl_index

    spec = SPECS[name]
    f = spec["fields"]
    frames = load(pd, np, fixtures, name)
    truth = Truth(pd, np, frames, spec["kind"])
    dfs = [df for df, _ in frames]
    n_rows = [len(df) for df in dfs]

    # 1. index
    rules = INDEX_RULES(rl_index, f)
    t0 = time.perf_counter()
    indexer = rl.Index()
    for _, alg in rules:
        indexer.add(alg)
    pairs = indexer.index(*dfs)
    t_index = time.perf_counter() - t0
    idx_score = truth.score_raw(pairs)

    # 2. compare
    t0 = time.perf_counter()
    comp = rl.Compare(n_jobs=n_jobs)
    comp.string(f["first"], f["first"], method="jarowinkler", threshold=JW_THRESHOLD, label=f["first"])
    comp.string(f["last"], f["last"], method="jarowinkler", threshold=JW_THRESHOLD, label=f["last"])
    for col in f["exact"]:
        comp.exact(col, col, label=col)
    features = comp.compute(pairs, *dfs)
    t_compare = time.perf_counter() - t0

    result = dict(
        dataset=name,
        task=spec["kind"],
        rows=n_rows if len(n_rows) > 1 else n_rows[0],
        true_pairs=truth.n_true,
        index_rules=[r for r, _ in rules],
        candidate_pairs=int(len(pairs)),
        index_recall=round(idx_score["tp"] / truth.n_true, 4),
        true_pairs_in_index=idx_score["tp"],
        features=list(features.columns),
        seconds=dict(index=round(t_index, 2), compare=round(t_compare, 2)),
        classifiers={},
    )

    # 3. classify (unsupervised; no labels)
    for label, make in (
        ("ECMClassifier", lambda: rl.ECMClassifier(binarize=0.8)),
        ("KMeansClassifier", lambda: rl.KMeansClassifier()),
    ):
        t0 = time.perf_counter()
        clf = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            links = clf.fit_predict(features)
        t_clf = time.perf_counter() - t0
        n_links = int(len(links))
        entry = dict(
            links=n_links,
            degenerate=("no links" if n_links == 0 else "all candidates linked" if n_links == len(features) else None),
            seconds_classify=round(t_clf, 2),
            seconds_total=round(t_index + t_compare + t_clf, 2),
            raw=truth.score_raw(links),
            cc=truth.score_cc(links) if n_links else _prf(0, 0, truth.n_true),
        )
        if label == "ECMClassifier":
            try:
                entry["estimated_match_prior_p"] = round(float(clf.p), 6)
                entry["m_probs_agree"] = {k: round(float(v.get(1, v.get(1.0, float("nan")))), 4) for k, v in clf.m_probs.items()}
                entry["u_probs_agree"] = {k: round(float(v.get(1, v.get(1.0, float("nan")))), 4) for k, v in clf.u_probs.items()}
            except Exception as e:  # diagnostics only
                entry["parameters_error"] = repr(e)
        result["classifiers"][label] = entry
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", default=os.environ.get("LINKAGE_FIXTURES", DEFAULT_FIXTURES))
    ap.add_argument("--only", default=",".join(DATASETS), help="comma-separated subset of " + ",".join(DATASETS))
    ap.add_argument("--n-jobs", type=int, default=1, help="recordlinkage.Compare(n_jobs=...); default 1 (toolkit default)")
    ap.add_argument("--json-out", default=None, help="also write the full JSON report to this file")
    args = ap.parse_args()

    if not os.path.isdir(args.fixtures):
        _missing("fixtures folder not found: %s" % args.fixtures)
    try:
        import numpy as np
        import pandas as pd
        import recordlinkage as rl
    except ImportError as e:
        _missing(
            "the Python Record Linkage Toolkit (or one of its dependencies) is not importable: %s. "
            "Put the toolkit's source on PYTHONPATH; see bench/toolkit/README.md." % e
        )

    names = [n.strip() for n in args.only.split(",") if n.strip()]
    for n in names:
        if n not in SPECS:
            ap.error("unknown dataset %r" % n)
        for fn in SPECS[n]["files"]:
            if not os.path.isfile(os.path.join(args.fixtures, fn)):
                _missing("fixture file not found: %s" % os.path.join(args.fixtures, fn))

    report = dict(
        tool="Python Record Linkage Toolkit (J535D165/recordlinkage), unsupervised pipeline",
        versions=versions(rl, pd, np),
        machine_start=machine_info(),
        config=dict(
            jaro_winkler_threshold=JW_THRESHOLD,
            ecm="ECMClassifier(binarize=0.8)",
            kmeans="KMeansClassifier()",
            compare_n_jobs=args.n_jobs,
            fixtures=args.fixtures,
        ),
        datasets=[],
    )
    print(json.dumps({k: report[k] for k in ("tool", "versions", "machine_start", "config")}, indent=2), flush=True)

    for n in names:
        t0 = time.perf_counter()
        res = run_dataset(rl, pd, np, args.fixtures, n, args.n_jobs)
        res["seconds"]["wall_dataset"] = round(time.perf_counter() - t0, 2)
        report["datasets"].append(res)
        print(json.dumps(res, indent=2), flush=True)

    report["machine_end"] = machine_info()

    # compact table
    print()
    hdr = "%-15s %-7s %10s %8s | %-6s %6s %6s %6s | %6s %6s %6s | %8s" % (
        "dataset", "clf", "cand", "idx_rec", "links", "P", "R", "F1", "P_cc", "R_cc", "F1_cc", "seconds")
    print(hdr)
    print("-" * len(hdr))
    for res in report["datasets"]:
        for clf, e in res["classifiers"].items():
            print("%-15s %-7s %10d %8.4f | %6d %6.4f %6.4f %6.4f | %6.4f %6.4f %6.4f | %8.2f%s" % (
                res["dataset"], clf.replace("Classifier", ""), res["candidate_pairs"], res["index_recall"],
                e["links"], e["raw"]["precision"], e["raw"]["recall"], e["raw"]["f1"],
                e["cc"]["precision"], e["cc"]["recall"], e["cc"]["f1"], e["seconds_total"],
                "  DEGENERATE: " + e["degenerate"] if e["degenerate"] else ""))
    print()
    print(json.dumps({"machine_end": report["machine_end"]}, indent=2))

    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(report, fh, indent=2)
        print("full report written to %s" % args.json_out)


if __name__ == "__main__":
    main()
