import type { ModuleContext } from '../src/legacy/module-connector.js';

/** The benchmark's custom legacy module: every `bench<N>` user exists with the configured password. */
export function authenticate(login: string, password: string, context: ModuleContext): Promise<unknown> {
  const match = /^bench(\d+)(@example\.com)?$/.exec(login);
  if (!match || password !== context.options.password) return Promise.resolve({ kind: 'invalid' });
  const user = `bench${match[1] ?? ''}`;
  return Promise.resolve({ kind: 'valid', profile: { id: match[1], login: user, email: `${user}@example.com` } });
}

export function findUser(): Promise<unknown> {
  return Promise.resolve({ kind: 'not-found' });
}
