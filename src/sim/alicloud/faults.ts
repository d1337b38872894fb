// Injected faults: a FIFO list; each call takes the first fault matching its Action (or '*') and
// uses up one of its `times`.
import type { SimFault } from './types.js';

export type ResolvedFault = Required<Pick<SimFault, 'action' | 'mode'>> & SimFault;

export class FaultQueue {
  private entries: { fault: ResolvedFault; remaining: number }[] = [];

  inject(fault: SimFault): void {
    const mode = fault.mode ?? (fault.code ? 'error' : undefined);
    if (!mode) throw new Error('Alibaba sim: a fault needs a mode, or a code (mode error)');
    if (mode === 'error' && !fault.code) throw new Error('Alibaba sim: an error fault needs a code');
    if ((mode === 'delay' || mode === 'apply-then-delay') && !(typeof fault.delayMs === 'number' && fault.delayMs >= 0)) {
      throw new Error(`Alibaba sim: a ${mode} fault needs delayMs`);
    }
    const times = fault.times ?? 1;
    if (!(Number.isInteger(times) && times >= 1)) throw new Error('Alibaba sim: fault times must be a positive integer');
    this.entries.push({ fault: { ...fault, mode }, remaining: times });
  }

  take(action: string): ResolvedFault | undefined {
    const i = this.entries.findIndex((e) => e.fault.action === '*' || e.fault.action === action);
    const entry = this.entries[i];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.entries.splice(i, 1);
    return entry.fault;
  }

  /** The faults still waiting, with how many calls each will still hit (for the control API). */
  pending(): (ResolvedFault & { remaining: number })[] {
    return this.entries.map((e) => ({ ...e.fault, remaining: e.remaining }));
  }

  clear(): void {
    this.entries = [];
  }
}
