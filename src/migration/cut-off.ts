import type { RecordEvent } from '../events/recorder.js';
import type { CutOffState, LegacySwitch } from '../legacy/legacy-switch.js';

/** Cutting the legacy system off (or reconnecting it) as an operator does it: the switch, and the audit event. */
export type CutOffOutcome =
  | { kind: 'switched'; state: CutOffState }
  /** The configuration fixes the cut-off (`legacy` absent or `migration.cutOff`): the console cannot change it. */
  | { kind: 'fixed-by-configuration' };

export type SwitchCutOff = (cutOff: boolean, adminId: string) => Promise<CutOffOutcome>;

export function createCutOff(deps: { legacySwitch: LegacySwitch; record: RecordEvent }): SwitchCutOff {
  return async (cutOff, adminId) => {
    if ((await deps.legacySwitch.state()).byConfiguration) return { kind: 'fixed-by-configuration' };
    await deps.legacySwitch.set(cutOff, adminId);
    await deps.record({ type: 'admin_action', adminId, action: cutOff ? 'cut_off' : 'reconnect' });
    return { kind: 'switched', state: await deps.legacySwitch.state() };
  };
}
