/**
 * Several "hosts" on one machine: Linux network namespaces joined by bridges, for tests of what only a network can
 * do to a scaled-out IdP (a host cut from its database, a host gone). Root only; `netnsUnavailable()` says why not.
 *
 * Every run names its bridges, veths and namespaces after a tag made of its process id (base 36) and two random
 * characters, and picks two random private /24s that no route of the machine overlaps, so parallel runs do not
 * clash. `createNetwork` first removes what runs whose process is gone left behind (a SIGKILLed test runner), and an
 * exit hook removes the network when the test process ends without `destroy()`.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isRoot, registerEmergencyCleanup, runCommand } from './servers/process.js';

const NAMESPACE_PREFIX = 'jitnet-';
/** Interface names are at most 15 characters: `jn`, the tag (at most 7), then `F`/`B` (bridges), `f1`/`b1` (veths). */
const LINK_PREFIX = 'jn';

export interface HostSpec {
  name: string;
  /** A veth on the front bridge (clients, balancer, legacy system). */
  front?: boolean;
  /** A veth on the back bridge (the database). */
  back?: boolean;
}

export interface NetHost {
  name: string;
  /** The namespace, for `ip netns exec`. */
  namespace: string;
  frontAddress: string | undefined;
  backAddress: string | undefined;
  /** The root-side ends of its veths (the bridge ports): taking one down is pulling the host's cable. */
  frontLink: string | undefined;
  backLink: string | undefined;
  /** Prefix of a command that runs inside the namespace. */
  exec: readonly string[];
}

export interface Network {
  tag: string;
  /** The root namespace's address on each bridge (the test runner, the balancer, the legacy system are there). */
  rootFront: string;
  rootBack: string;
  hosts: ReadonlyMap<string, NetHost>;
  host(name: string): NetHost;
  /** Takes the host's cable to one bridge out (`down`) or back in. */
  setLink(host: string, side: 'front' | 'back', state: 'up' | 'down'): Promise<void>;
  /** Kills whatever still runs in the namespaces, deletes them and the bridges. Safe to call more than once. */
  destroy(): void;
}

/** Why these tests cannot run here, or false. */
export function netnsUnavailable(): string | false {
  if (process.platform !== 'linux') return 'skipped: network namespaces are Linux only';
  if (!isRoot()) return 'skipped: not root, ip netns unavailable';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'skipped: ip (iproute2) missing or ip netns unavailable';
  if (!existsSync('/sys/class/net')) return 'skipped: no /sys/class/net';
  return false;
}

export async function createNetwork(specs: readonly HostSpec[]): Promise<Network> {
  if (specs.length > 9) throw new Error('at most 9 hosts (one digit in the veth names)');
  removeLeftovers();
  const tag = `${process.pid.toString(36)}${randomInt(36 * 36)
    .toString(36)
    .padStart(2, '0')}`;
  const [front, back] = freeSubnets();
  const frontBridge = `${LINK_PREFIX}${tag}F`;
  const backBridge = `${LINK_PREFIX}${tag}B`;
  const hosts = new Map<string, NetHost>();
  for (const [i, spec] of specs.entries()) {
    const hostNumber = String(10 + i);
    hosts.set(spec.name, {
      name: spec.name,
      namespace: `${NAMESPACE_PREFIX}${tag}-${spec.name}`,
      frontAddress: spec.front ? `${front}.${hostNumber}` : undefined,
      backAddress: spec.back ? `${back}.${hostNumber}` : undefined,
      frontLink: spec.front ? `${LINK_PREFIX}${tag}f${String(i)}` : undefined,
      backLink: spec.back ? `${LINK_PREFIX}${tag}b${String(i)}` : undefined,
      exec: ['ip', 'netns', 'exec', `${NAMESPACE_PREFIX}${tag}-${spec.name}`],
    });
  }

  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    for (const host of hosts.values()) removeNamespace(host.namespace);
    // A namespace outlives its name while sockets of its killed processes linger (FIN_WAIT, for a minute or more),
    // and so do its veths; deleting our end removes both.
    for (const host of hosts.values()) {
      for (const link of [host.frontLink, host.backLink]) if (link !== undefined) ipSync(['link', 'del', link]);
    }
    for (const bridge of [frontBridge, backBridge]) ipSync(['link', 'del', bridge]);
  };
  const unregister = registerEmergencyCleanup(destroy);

  try {
    for (const [bridge, subnet] of [
      [frontBridge, front],
      [backBridge, back],
    ] as const) {
      await ip(['link', 'add', bridge, 'type', 'bridge']);
      await ip(['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
      await ip(['link', 'set', bridge, 'up']);
    }
    for (const host of hosts.values()) {
      await ip(['netns', 'add', host.namespace]);
      await ip(['-n', host.namespace, 'link', 'set', 'lo', 'up']);
      for (const [link, inside, address, bridge] of [
        [host.frontLink, 'front', host.frontAddress, frontBridge],
        [host.backLink, 'back', host.backAddress, backBridge],
      ] as const) {
        if (link === undefined || address === undefined) continue;
        await ip(['link', 'add', link, 'type', 'veth', 'peer', 'name', inside, 'netns', host.namespace]);
        await ip(['link', 'set', link, 'master', bridge, 'up']);
        await ip(['-n', host.namespace, 'addr', 'add', `${address}/24`, 'dev', inside]);
        await ip(['-n', host.namespace, 'link', 'set', inside, 'up']);
      }
    }
  } catch (error) {
    destroy();
    unregister();
    throw error;
  }

  const host = (name: string): NetHost => {
    const found = hosts.get(name);
    if (!found) throw new Error(`no host ${name}`);
    return found;
  };
  return {
    tag,
    rootFront: `${front}.1`,
    rootBack: `${back}.1`,
    hosts,
    host,
    async setLink(name, side, state) {
      const link = side === 'front' ? host(name).frontLink : host(name).backLink;
      if (link === undefined) throw new Error(`${name} has no ${side} link`);
      await ip(['link', 'set', link, state]);
    },
    destroy() {
      destroy();
      unregister();
    },
  };
}

async function ip(args: readonly string[]): Promise<void> {
  await runCommand('ip', args, { timeoutMs: 10_000 });
}

/** For clean-up, which must also work in an exit hook: synchronous, and a failure (already gone) is ignored. */
function ipSync(args: readonly string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout : '';
}

function removeNamespace(namespace: string): void {
  // A namespace lives on while a process runs in it, holding its addresses and veths.
  for (const pid of ipSync(['netns', 'pids', namespace]).split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  ipSync(['netns', 'del', namespace]);
}

/** The tag's process is gone: its network is a leftover. A live one may be a parallel run, and is left alone. */
function abandoned(tag: string): boolean {
  const pid = Number.parseInt(tag.slice(0, -2), 36);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Namespaces and links of earlier runs whose process died without cleaning up (SIGKILL skips every exit hook). */
export function removeLeftovers(): void {
  for (const line of ipSync(['netns', 'list']).split('\n')) {
    const namespace = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${NAMESPACE_PREFIX}([0-9a-z]+)-`).exec(namespace);
    if (match?.[1] !== undefined && abandoned(match[1])) removeNamespace(namespace);
  }
  for (const line of ipSync(['-o', 'link', 'show']).split('\n')) {
    // "12: jnabc12F: <BROADCAST,…" or "13: jnabc12f0@if2: …"
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '';
    const match = new RegExp(`^${LINK_PREFIX}([0-9a-z]+)(F|B|f\\d|b\\d)$`).exec(name);
    if (match?.[1] !== undefined && abandoned(match[1])) ipSync(['link', 'del', name]);
  }
}

/** Two adjacent /24s in 10/8 (`10.a.b` and `10.a.b+1`) that no route or address of this machine overlaps. */
function freeSubnets(): [string, string] {
  const taken = ipSync(['-4', '-o', 'route', 'show', 'table', 'all'])
    .split('\n')
    .map((line) => line.split(/\s+/).find((word) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(word)))
    .filter((cidr): cidr is string => cidr !== undefined)
    .map(parseCidr);
  for (let attempt = 0; attempt < 100; attempt++) {
    const a = randomInt(16, 255);
    const b = randomInt(0, 127) * 2;
    const wanted = parseCidr(`10.${String(a)}.${String(b)}.0/23`);
    if (taken.some((range) => overlaps(range, wanted))) continue;
    return [`10.${String(a)}.${String(b)}`, `10.${String(a)}.${String(b + 1)}`];
  }
  throw new Error('no free private subnet found');
}

function parseCidr(cidr: string): { start: number; end: number } {
  const [address = '', bits = '32'] = cidr.split('/');
  const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  const start = value - (value % size);
  return { start, end: start + size - 1 };
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start <= b.end && b.start <= a.end;
}
