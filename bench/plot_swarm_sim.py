"""Plots of the Smart Node simulation (bench/swarm-sim.sh): one PNG per figure, into the same folder.

  copies-<tag>.png   share of pieces with 0 / 1 / 2 / 3+ copies outside the mirrors over time, one row per strategy:
                     copies on online nodes (left) and copies held by nodes that have not left, online or not (right)
  below2-<tag>.png   share of pieces with fewer than 2 copies outside the mirrors, strategies overlaid (log scale):
                     online copies solid, held copies dashed
  sweep.png          steady-state shares with 0 and with < 2 copies against volunteer storage / archive size
"""
import csv, os, sys
from collections import defaultdict
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

out = sys.argv[1]
COLORS = {'smart-match': '#17becf', 'smart-agree': '#ff7f0e', 'agree-holders': '#8c564b', 'smart': '#1f77b4', 'smart-spread': '#2ca02c', 'whole': '#d62728', 'random': '#9467bd'}

def read(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))

EVENTS = [[]]

def events(ax):
    # The run's events as the simulator wrote them (<tag>-events.csv): outages hatched, departures dotted.
    seen = set()
    for e in EVENTS[0]:
        a, b = float(e['start_day']), float(e['end_day'])
        if int(e['mirror']) >= 0 and (a, b) not in seen:
            seen.add((a, b))
            ax.axvspan(a, b, facecolor='none', edgecolor='0.3', hatch='//', linewidth=0.8, zorder=3)
        elif int(e['mirror']) < 0:
            ax.axvline(a, color='0.2', linestyle=':', linewidth=1.5, zorder=3)

for name in sorted(os.listdir(out)):
    if not name.endswith('-timeseries.csv'):
        continue
    tag = name[:-len('-timeseries.csv')]
    rows = read(os.path.join(out, name))
    ev = os.path.join(out, tag + '-events.csv')
    EVENTS[0] = read(ev) if os.path.exists(ev) else []
    by = defaultdict(list)
    for r in rows:
        by[(r['strategy'], r['nodes'])].append(r)
    keys = sorted(by, key=lambda k: (int(k[1]), list(COLORS).index(k[0]) if k[0] in COLORS else 9))
    held = 'held_0' in rows[0]
    fig, axes = plt.subplots(len(keys), 2 if held else 1, figsize=(13 if held else 9, 2.2 * len(keys)), sharex=True, squeeze=False)
    for row, k in enumerate(keys):
        rs = by[k]
        day = [float(r['day']) for r in rs]
        for col, (prefix, what) in enumerate([('share', 'online copies'), ('held', 'held copies')][:2 if held else 1]):
            ax = axes[row, col]
            s = [[float(r[prefix + c]) for r in rs] for c in ('_0', '_1', '_2', '_3plus')]
            ax.stackplot(day, *s, labels=['0 copies', '1', '2', '3+'], colors=['#000000', '#d62728', '#ff7f0e', '#2ca02c'])
            ax.set_ylim(0, 1)
            ax.set_ylabel('share')
            ax.set_title('%s, %s nodes: %s' % (k[0], k[1], what), fontsize=9)
            events(ax)
    axes[0, 0].legend(loc='lower right', fontsize=7, ncol=4)
    for ax in axes[-1, :]:
        ax.set_xlabel('day (hatched: mirror A, mirror B, both mirrors down; dotted: a quarter of the nodes leave)', fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, 'copies-%s.png' % tag), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 3.5))
    for k in keys:
        rs = by[k]
        day = [float(r['day']) for r in rs]
        below = [max(1e-7, float(r['share_0']) + float(r['share_1'])) for r in rs]
        ax.plot(day, below, label='%s x%s, online' % k, color=COLORS.get(k[0]), linestyle='-')
        if 'held_0' in rs[0]:
            below = [max(1e-7, float(r['held_0']) + float(r['held_1'])) for r in rs]
            ax.plot(day, below, label='%s x%s, held' % k, color=COLORS.get(k[0]), linestyle='--')
    ax.set_yscale('log')
    ax.set_ylabel('share of pieces with < 2 copies')
    ax.set_xlabel('day')
    events(ax)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, 'below2-%s.png' % tag), dpi=110)
    plt.close(fig)

# The sweep: steady-state means (last quarter of each run) of the shares with 0 and with fewer than 2 copies.
pts = defaultdict(list)
for name in sorted(os.listdir(out)):
    if not (name.endswith('-timeseries.csv') and name.startswith('sweep')) or '-seed' in name:
        continue  # extra seeds of one point (SEEDS=...) are reported in the doc, not drawn as more sweep points
    summ = {r['strategy']: r for r in read(os.path.join(out, name.replace('timeseries', 'summary')))}
    rows = read(os.path.join(out, name))
    days = max(float(r['day']) for r in rows)
    by = defaultdict(list)
    for r in rows:
        if float(r['day']) >= 0.75 * days:
            by[r['strategy']].append(r)
    for st, rs in by.items():
        def mean(*cols):
            return sum(sum(float(r[c]) for c in cols) for r in rs) / len(rs)
        h = 'held_0' in rs[0]
        pts[st].append((float(summ[st]['storage_ratio']), mean('share_0'), mean('share_0', 'share_1'),
                        mean('held_0') if h else None, mean('held_0', 'held_1') if h else None))
if pts:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for st, p in pts.items():
        p.sort()
        for ax, k in zip(axes, (1, 2)):
            ax.plot([x[0] for x in p], [max(1e-4, x[k]) for x in p], marker='o', label=st + ', online', color=COLORS.get(st))
            if all(x[k + 2] is not None for x in p):
                ax.plot([x[0] for x in p], [max(1e-4, x[k + 2]) for x in p], marker='s', linestyle='--', label=st + ', held',
                        color=COLORS.get(st))
    for ax, title in zip(axes, ('pieces with 0 copies outside the mirrors', 'pieces with fewer than 2 copies')):
        ax.set_yscale('log')
        ax.set_xlabel('volunteer storage / archive size')
        ax.set_ylabel('share, steady state (mean)')
        ax.set_title(title, fontsize=9)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, 'sweep.png'), dpi=110)
    plt.close(fig)
print('plots in', out)
