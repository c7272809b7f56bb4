/**
 * Acceptance: the real daemon, killed with SIGKILL at random moments and restarted, loses no
 * notification and repeats one only across a kill. Lanes (each its own daemon, data directory and
 * receivers) run side by side; LANES × KILLS ≥ 100 per run of this file. Figures are printed as one
 * JSON line (`KILL9 {...}`) for the notes.
 */
import { describe, expect, it } from 'vitest';
import { runLane, type LaneFigures } from './kill9-lane.ts';

const LANES = Number(process.env.VIGIL_KILL9_LANES ?? 4);
const KILLS = Number(process.env.VIGIL_KILL9_KILLS ?? 25);
const BASE_SEED = Number(process.env.VIGIL_KILL9_SEED ?? 7007);

describe('kill -9 loop', () => {
  it(`${LANES} lanes × ${KILLS} SIGKILLs: 0 lost, repeats only across kills, 0 duplicate incidents`, async () => {
    const lanes: LaneFigures[] = await Promise.all(Array.from({ length: LANES }, (_, i) => runLane(BASE_SEED + i, KILLS)));
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
    console.log(`KILL9 ${JSON.stringify({ lanes: LANES, killsPerLane: KILLS, baseSeed: BASE_SEED, ...totals })}`);
    for (const l of lanes) console.log(`KILL9-LANE ${JSON.stringify(l)}`);

    expect(totals.kills).toBe(LANES * KILLS);
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
  }, 420_000);
});
