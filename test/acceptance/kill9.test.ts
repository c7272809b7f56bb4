/**
 * Acceptance: the real daemon, killed with SIGKILL at random moments and restarted, loses no
 * notification and repeats one only across a kill, on both state backends. Lanes (each its own daemon,
 * data directory or index prefix, and receivers) run side by side; on SQLite LANES × KILLS ≥ 100 per
 * run of this file; on the cluster backend fewer (its daemons start slower, and they share one test
 * cluster, in a process of its own with a data folder). Figures are printed as one JSON line per
 * backend (`KILL9 {...}`) for the notes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLane, type LaneBackend, type LaneFigures } from './kill9-lane.ts';
import { spawnTestCluster } from '../kit/cluster-process.ts';

const LANES = Number(process.env.VIGIL_KILL9_LANES ?? 4);
const KILLS = Number(process.env.VIGIL_KILL9_KILLS ?? 25);
const CLUSTER_LANES = Number(process.env.VIGIL_KILL9_CLUSTER_LANES ?? 2);
const CLUSTER_KILLS = Number(process.env.VIGIL_KILL9_CLUSTER_KILLS ?? 10);
const BASE_SEED = Number(process.env.VIGIL_KILL9_SEED ?? 7007);

async function loop(backend: LaneBackend, lanesCount: number, kills: number): Promise<void> {
  const lanes: LaneFigures[] = await Promise.all(Array.from({ length: lanesCount }, (_, i) => runLane(BASE_SEED + i, kills, backend)));
  const sum = (f: (l: LaneFigures) => number) => lanes.reduce((a, l) => a + f(l), 0);
  const totals = {
    kills: sum((l) => l.kills),
    notifications: sum((l) => l.webhook.notifications + l.pagerduty.notifications + l.email.notifications),
    lost: sum((l) => l.webhook.lost + l.pagerduty.lost + l.email.lost),
    duplicates: { webhook: sum((l) => l.webhook.duplicates), pagerduty: sum((l) => l.pagerduty.duplicates), email: sum((l) => l.email.duplicates) },
    unexplainedDuplicates: sum((l) => l.webhook.unexplained + l.pagerduty.unexplained + l.email.unexplained),
    phantom: sum((l) => l.webhook.phantom + l.pagerduty.phantom + l.email.phantom),
    pdIncidents: sum((l) => l.pagerduty.incidents),
    pdEpisodes: sum((l) => l.pagerduty.episodes),
    pdDuplicateIncidents: sum((l) => l.pagerduty.duplicateIncidents),
    resumed: sum((l) => l.resumed),
    maxResumeDelayMs: Math.max(...lanes.map((l) => l.maxResumeDelayMs)),
    failed: sum((l) => l.failed),
    elapsedMs: Math.max(...lanes.map((l) => l.elapsedMs)),
  };
  console.log(`KILL9 ${JSON.stringify({ backend: backend.kind, lanes: lanesCount, killsPerLane: kills, baseSeed: BASE_SEED, ...totals })}`);
  for (const l of lanes) console.log(`KILL9-LANE ${JSON.stringify(l)}`);

  expect(totals.kills).toBe(lanesCount * kills);
  for (const l of lanes) {
    expect(l.cleanExitCode).toBe(0);
    expect(l.pendingAfterCleanStop).toBe(0);
    for (const s of [l.webhook, l.pagerduty, l.email]) {
      // Every watch fired between kills: the streams are not empty, so "0 lost" means something.
      expect(s.notifications).toBeGreaterThan(l.kills / 2);
      expect(s.lost).toBe(0);
      expect(s.phantom).toBe(0);
      expect(s.unexplained).toBe(0);
      expect(s.duplicates).toBeLessThanOrEqual(l.kills);
    }
    expect(l.pagerduty.duplicateIncidents).toBe(0);
    expect(l.pagerduty.incidents).toBeLessThanOrEqual(l.pagerduty.episodes);
  }
  expect(totals.failed).toBe(0);
}

describe('kill -9 loop', () => {
  it(`SQLite: ${LANES} lanes × ${KILLS} SIGKILLs: 0 lost, repeats only across kills, 0 duplicate incidents`, async () => {
    await loop({ kind: 'sqlite' }, LANES, KILLS);
  }, 420_000);

  it(`cluster backend: ${CLUSTER_LANES} lanes × ${CLUSTER_KILLS} SIGKILLs: 0 lost, repeats only across kills, 0 duplicate incidents`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-kill9-cluster-'));
    const cluster = await spawnTestCluster({ dataDir });
    try {
      await loop({ kind: 'cluster', url: cluster.url }, CLUSTER_LANES, CLUSTER_KILLS);
    } finally {
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 420_000);
});
