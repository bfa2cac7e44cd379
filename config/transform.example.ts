import type { TransformFunction } from '../src/migration/transform.js';

/**
 * An example transform module (`migration.transformModule`): runs after the declarative mapping and before
 * validation. Return the refined profile; throw to refuse the migration (recorded as a validation failure).
 */
const transform: TransformFunction = (mapped, legacy) => {
  // The old system allowed spaces in user names; the new one does not.
  const username = typeof mapped.username === 'string' ? mapped.username.trim().replace(/\s+/g, '.') : mapped.username;
  // Accounts flagged as test users in the old system are not moved.
  if (legacy.is_test_account === true) throw new Error('test accounts are not migrated');
  return { ...mapped, username };
};

export default transform;
