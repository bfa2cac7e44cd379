import type { RecordEvent } from '../events/recorder.js';
import type { CutOffState, CutOffAwareLegacy } from '../legacy/cut-off-aware-legacy.js';

/** Cutting the legacy system off (or reconnecting it) as an operator does it: the switch, and the audit event. */
export type CutOffOutcome =
  | { kind: 'switched'; state: CutOffState }
  /** The configuration fixes the cut-off (`legacy` absent or `migration.cutOff`): the console cannot change it. */
  | { kind: 'fixed-by-configuration' };

export type SwitchCutOff = (cutOff: boolean, adminId: string) => Promise<CutOffOutcome>;

export function createCutOff(deps: { cutOffAwareLegacy: CutOffAwareLegacy; record: RecordEvent }): SwitchCutOff {
  return async (cutOff, adminId) => {
    if ((await deps.cutOffAwareLegacy.state()).byConfiguration) return { kind: 'fixed-by-configuration' };
    await deps.cutOffAwareLegacy.set(cutOff, adminId);
    await deps.record({ type: 'admin_action', adminId, action: cutOff ? 'cut_off' : 'reconnect' });
    return { kind: 'switched', state: await deps.cutOffAwareLegacy.state() };
  };
}
