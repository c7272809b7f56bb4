import { describe, expect, it } from 'vitest';
import { Meter, type Exhausted } from '../../src/budget/meter.ts';

const failWith = (what: Exhausted) => new Error(`out of ${what}`);

describe('Meter', () => {
  it('throws when the steps or the created elements run out, and keeps throwing the same error', () => {
    const m = new Meter({ maxSteps: 300, maxAlloc: 1e9, maxMillis: 1e9, now: () => 0 }, failWith);
    m.step(300);
    expect(() => m.step(1)).toThrow('out of steps');
    const first = m.failed;
    expect(() => m.step(1)).toThrow(first!);
    expect(() => m.allocate(1)).toThrow(first!);
    const a = new Meter({ maxSteps: 1e9, maxAlloc: 10, maxMillis: 1e9, now: () => 0 }, failWith);
    a.allocate(10);
    expect(() => a.allocate(1)).toThrow('out of alloc');
  });

  it('times out on CPU time, not on wall time the thread spent off the CPU', () => {
    let wall = 0;
    let cpu = 0;
    const limits = { maxSteps: 1e12, maxAlloc: 1e12, maxMillis: 10, now: () => wall, cpu: () => cpu };
    const m = new Meter(limits, failWith);
    // Wall time runs fast (the process is descheduled), CPU time barely moves: no time-out.
    for (let i = 0; i < 100; i++) {
      wall += 5;
      cpu += 0.05;
      m.step(128);
    }
    expect(m.failed).toBeNull();
    // Now the work itself takes the time.
    expect(() => {
      for (let i = 0; i < 100; i++) {
        wall += 1;
        cpu += 1;
        m.step(128);
      }
    }).toThrow('out of time');
  });

  it('reset starts a new evaluation', () => {
    const m = new Meter({ maxSteps: 10, maxAlloc: 10, maxMillis: 1e9, now: () => 0 }, failWith);
    expect(() => m.step(11)).toThrow();
    m.reset();
    expect(m.failed).toBeNull();
    m.step(10);
    m.allocate(10);
  });
});
