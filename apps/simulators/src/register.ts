import { createHash } from 'node:crypto';
import { RegisterEntry, SimulatorSeed } from './seed';

/** The synthetic FaR register, shared by the FaR and the operator simulators. */
export class Register {
  private readonly entries = new Map<string, RegisterEntry>();

  constructor(private readonly seed: Pick<SimulatorSeed, 'register' | 'unlisted'>) {
    for (const e of seed.register) this.entries.set(e.id, e);
  }

  lookup(id: string): RegisterEntry {
    const listed = this.entries.get(id);
    if (listed) return listed;
    const rule = this.seed.unlisted;
    if (rule.mode === 'hash') {
      const total = Object.values(rule.shares).reduce((a, b) => a + b, 0);
      const x = (createHash('sha256').update(id).digest().readUInt32BE(0) / 0x100000000) * total;
      let acc = 0;
      for (const [key, share] of Object.entries(rule.shares)) {
        acc += share;
        if (x < acc) return key === 'not-registered' ? { id, type: 'Not' } : { id, type: 'Secure', operator: key };
      }
    }
    return { id, type: 'Not' };
  }

  /** Whether `operatorKey` holds a mailbox for `id`. */
  holds(operatorKey: string, id: string): boolean {
    const e = this.lookup(id);
    return e.type === 'Secure' && e.operator === operatorKey;
  }
}
