// Turns per-round measurements into medians, ratios, PASS/MISS lines and a plain-text table.

export const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const max = (xs) => Math.max(...xs.filter(Number.isFinite));

/** The goals the lead set (pinned, c=32 unless stated). Information, not a test. */
export const GOALS = {
  throughputVsPeer: 2.0, // C req/s >= 2.0 x B
  cpuUsPerReq: 450, // C CPU per request <= 450 µs
  addedP50Ms: 0.9, // C p50 - A p50 at c=1 <= 0.9 ms
  peakRssMB: 220, // C peak RSS at c=256, 20 ms upstream delay <= 220 MB
};

/** Per-target medians (and max peak RSS) over a phase's rounds. */
export function summarizePhase(phase) {
  const byTarget = {};
  for (const round of phase.rounds) {
    for (const run of round) (byTarget[run.target] ??= []).push(run);
  }
  const targets = {};
  for (const [id, runs] of Object.entries(byTarget)) {
    targets[id] = {
      rounds: runs.length,
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      cpuUsPerReq: median(runs.map((r) => r.cpuUsPerReq)),
      rssMB: median(runs.map((r) => r.rssMB)),
      peakRssMB: max(runs.map((r) => r.peakRssMB)),
      requests: runs.reduce((s, r) => s + r.ok, 0),
      foreignCpuPctMax: max(runs.map((r) => r.foreignCpuPct)),
    };
  }
  // Ratios are taken round by round (same minute, same machine state), then the median.
  const ratio = (x, y, key) =>
    median(
      phase.rounds.map((round) => {
        const a = round.find((r) => r.target === x);
        const b = round.find((r) => r.target === y);
        return a && b ? a[key] / b[key] : NaN;
      }),
    );
  const diff = (x, y, key) =>
    median(
      phase.rounds.map((round) => {
        const a = round.find((r) => r.target === x);
        const b = round.find((r) => r.target === y);
        return a && b ? a[key] - b[key] : NaN;
      }),
    );
  const ratios = {};
  const added = {};
  for (const other of Object.keys(targets).filter((id) => id !== 'C')) {
    if (targets.C && targets[other]) {
      ratios[`C/${other}`] = { rps: ratio('C', other, 'rps'), cpuUsPerReq: ratio('C', other, 'cpuUsPerReq') };
    }
  }
  for (const x of ['B', 'C', 'D', 'R', 'S'])
    if (targets[x] && targets.A) added[x] = { p50Ms: diff(x, 'A', 'p50'), p99Ms: diff(x, 'A', 'p99') };
  return { targets, ratios, addedOverDirect: added };
}

/** PASS/MISS for each goal from the summaries; `basis` says which phase each came from. */
export function checkGoals(summaries, { pinned }) {
  const mode = pinned ? 'pinned' : 'unpinned';
  const s32 = summaries[`${mode}-c32`];
  const s1 = summaries[`${mode}-c1`];
  const s256 = summaries[`${mode}-c256-delay`];
  const out = [];
  const add = (goal, value, limit, cmp, unit, basis) =>
    out.push({
      goal,
      value,
      limit,
      unit,
      basis,
      verdict: !Number.isFinite(value) ? 'n/a' : cmp(value, limit) ? 'PASS' : 'MISS',
    });
  add(
    'C throughput vs B',
    s32?.ratios['C/B']?.rps,
    GOALS.throughputVsPeer,
    (v, l) => v >= l,
    '×',
    `${mode} c=32, median of per-round C/B`,
  );
  add(
    'C CPU per request',
    s32?.targets.C?.cpuUsPerReq,
    GOALS.cpuUsPerReq,
    (v, l) => v <= l,
    'µs',
    `${mode} c=32, median over rounds`,
  );
  add(
    'C added p50 over direct',
    s1?.addedOverDirect.C?.p50Ms,
    GOALS.addedP50Ms,
    (v, l) => v <= l,
    'ms',
    `${mode} c=1, median of per-round C.p50 - A.p50`,
  );
  add(
    'C peak RSS under pressure',
    s256?.targets.C?.peakRssMB,
    GOALS.peakRssMB,
    (v, l) => v <= l,
    'MB',
    `${mode} c=256 + upstream delay, max over rounds`,
  );
  return out;
}

const fmt = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const pad = (s, n, right = true) => (right ? String(s).padStart(n) : String(s).padEnd(n));

/** A readable table of one phase. */
export function phaseTable(phase, summary, names) {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS MB', 'peak MB', 'runs', 'others%'];
  const widths = [22, 9, 8, 8, 11, 8, 8, 5, 8];
  const lines = [];
  lines.push(`${phase.title}`);
  lines.push(head.map((h, i) => pad(h, widths[i], i > 0)).join(' '));
  for (const id of Object.keys(names)) {
    const t = summary.targets[id];
    if (!t) continue;
    lines.push(
      [
        pad(`${id} ${names[id]}`, widths[0], false),
        pad(fmt(t.rps), widths[1]),
        pad(fmt(t.p50, 2), widths[2]),
        pad(fmt(t.p99, 2), widths[3]),
        pad(fmt(t.cpuUsPerReq), widths[4]),
        pad(fmt(t.rssMB), widths[5]),
        pad(fmt(t.peakRssMB), widths[6]),
        pad(t.rounds, widths[7]),
        pad(fmt(t.foreignCpuPctMax), widths[8]),
      ].join(' '),
    );
  }
  const r = Object.entries(summary.ratios)
    .map(([k, v]) => `${k} req/s ${fmt(v.rps, 2)}× (CPU/req ${fmt(v.cpuUsPerReq, 2)}×)`)
    .join('   ');
  if (r) lines.push(`  ratios (median of per-round): ${r}`);
  const a = Object.entries(summary.addedOverDirect)
    .map(([k, v]) => `${k} +${fmt(v.p50Ms, 3)} ms`)
    .join('   ');
  if (a && phase.connections === 1) lines.push(`  added p50 over direct (median of per-round): ${a}`);
  return lines.join('\n');
}

export function goalsTable(goals) {
  const lines = ['Goals (information, not a test)'];
  for (const g of goals) {
    const cmp = g.goal.includes('throughput') ? '≥' : '≤';
    const v = g.unit === '×' ? fmt(g.value, 2) : g.unit === 'ms' ? fmt(g.value, 3) : fmt(g.value);
    lines.push(
      `  ${pad(g.verdict, 4, false)} ${pad(g.goal, 27, false)} ${pad(v, 8)} ${g.unit} (goal ${cmp} ${g.limit} ${g.unit}; ${g.basis})`,
    );
  }
  return lines.join('\n');
}
