"""Reference values for SegmentationMetricsTest, computed with scikit-learn on random data.

Dice = f1_score, SEN = recall_score, specificity = recall_score(pos_label=0), ACC =
accuracy_score, IoU = jaccard_score, AUC = roc_auc_score (exact, ties counted 1/2), and the ROC
points = roc_curve(drop_intermediate=False). Only pixels inside the mask are used.

Run: /usr/bin/python3 src/test/python/segmentation_reference.py
"""
import os

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, jaccard_score, recall_score, roc_auc_score, roc_curve

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "org", "medsynth", "metrics", "segmentation_reference.txt")
rng = np.random.RandomState(4242)


def binary_metrics(t, p, s):
    return [f1_score(t, p), recall_score(t, p), recall_score(t, p, pos_label=0), accuracy_score(t, p),
            jaccard_score(t, p), roc_auc_score(t, s)]


def fmt(a):
    return " ".join("%.10g" % v for v in a)


def main():
    lines = ["# case blocks: truth/pred/scores/mask rows, then expected values computed by scikit-learn inside the mask",
             "# expect: dice sen spe acc iou auc ; class LABEL: dice sen spe acc iou ; roc: fpr then tpr rows"]
    n = 1500
    for name, levels in [("ties5", 5), ("ties101", 101), ("continuous", 0)]:
        truth = (rng.rand(n) < 0.3).astype(int)
        raw = np.clip(0.35 * truth + rng.normal(0.35, 0.25, n), 0, 1)
        scores = np.round(raw * (levels - 1)) / (levels - 1) if levels else raw.astype(np.float32).astype(np.float64)
        pred = (scores >= 0.5).astype(int)
        mask = (rng.rand(n) < 0.8).astype(int)
        m = mask == 1
        lines += ["case " + name, "truth " + fmt(truth), "pred " + fmt(pred), "scores " + fmt(scores), "mask " + fmt(mask),
                  "expect " + fmt(binary_metrics(truth[m], pred[m], scores[m]))]
        if name == "ties5":
            fpr, tpr, _ = roc_curve(truth[m], scores[m], drop_intermediate=False)
            lines += ["rocfpr " + fmt(fpr), "roctpr " + fmt(tpr)]
    # label images: one-vs-rest per label, no mask
    truth = rng.randint(0, 4, n)
    pred = np.where(rng.rand(n) < 0.7, truth, rng.randint(0, 4, n))
    lines += ["case labels", "truth " + fmt(truth), "pred " + fmt(pred)]
    for lab in (1, 2, 3):
        t, p = (truth == lab).astype(int), (pred == lab).astype(int)
        lines.append("class %d %s" % (lab, fmt(binary_metrics(t, p, p)[:5])))
    # BraTS regions from labels 0, 1, 2, 4
    choices = np.array([0, 1, 2, 4])
    truth = choices[rng.randint(0, 4, n)]
    pred = np.where(rng.rand(n) < 0.6, truth, choices[rng.randint(0, 4, n)])
    lines += ["case brats", "truth " + fmt(truth), "pred " + fmt(pred)]
    for region, labs in [("WT", (1, 2, 4)), ("TC", (1, 4)), ("ET", (4,))]:
        t, p = np.isin(truth, labs).astype(int), np.isin(pred, labs).astype(int)
        lines.append("region %s %s" % (region, fmt(binary_metrics(t, p, p)[:5])))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", OUT)


main()
