import type { ModuleContext } from '../../src/legacy/module-connector.js';

/**
 * An example legacy module (`"kind": "module"`): it asks a gateway in front of an old system, in that gateway's
 * own protocol, and answers in the connector's outcomes. Pass `context.signal` on, so that a call the IdP has
 * given up on stops too.
 */
export async function authenticate(login: string, password: string, context: ModuleContext): Promise<unknown> {
  const response = await fetch(`${String(context.options.endpoint)}/v1/check-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': String(context.options.apiKey) },
    body: JSON.stringify({ user: login, secret: password }),
    signal: context.signal,
  });
  if (response.status === 503) return { kind: 'unavailable', cause: 'gateway maintenance' };
  const body = (await response.json()) as { result?: string; account?: Record<string, unknown> };
  switch (body.result) {
    case 'OK':
      return { kind: 'valid', profile: body.account ?? {} };
    case 'LOCKED':
      return { kind: 'disabled' };
    case 'NO_MATCH':
      return { kind: 'invalid' };
    default:
      // Anything unexpected: let the IdP fail closed.
      return { kind: 'unavailable', cause: `gateway answered ${String(body.result)}` };
  }
}

export async function findUser(login: string, context: ModuleContext): Promise<unknown> {
  const response = await fetch(`${String(context.options.endpoint)}/v1/users/${encodeURIComponent(login)}`, {
    headers: { 'x-api-key': String(context.options.apiKey) },
    signal: context.signal,
  });
  if (response.status === 404) return { kind: 'not-found' };
  if (!response.ok) return { kind: 'unavailable', cause: `gateway status ${response.status}` };
  return { kind: 'found', profile: (await response.json()) as Record<string, unknown> };
}
