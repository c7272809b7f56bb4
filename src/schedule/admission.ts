/** Admissions combined: the scheduler starts runs only while every source of back-pressure is open. */
import type { Admission } from './types.ts';

/** Open while all are open; its listeners hear when the last closed one opens. */
export function allOf(...parts: Admission[]): Admission {
  const listeners: Array<() => void> = [];
  const all: Admission = {
    get open() {
      return parts.every((p) => p.open);
    },
    onOpen(listener) {
      listeners.push(listener);
    },
  };
  for (const p of parts) p.onOpen(() => all.open && listeners.forEach((l) => l()));
  return all;
}
