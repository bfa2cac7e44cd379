/**
 * Plumbing shared by the private database and directory servers the connector tests start: temp dirs, free ports,
 * child processes with a log file, readiness polling and clean-up that also runs when a test process dies early.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOOPBACK = '127.0.0.1';
/** Generous because CI machines are slow and shared; a healthy start takes well under a second here. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;

/** Milliseconds left of a start-up budget, so that several slow steps together still respect one limit. */
export function timeLeft(timeoutMs: number): () => number {
  const deadline = Date.now() + timeoutMs;
  return () => Math.max(1, deadline - Date.now());
}

export interface StartOptions {
  /** How long the server may take to accept authenticated connections before start-up fails. */
  startupTimeoutMs?: number;
}

/** An OS account to run a server as, for servers that refuse to run as root. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Looked up with `id` rather than /etc/passwd so that NSS-provided accounts work as well. */
export async function lookupOsUser(name: string): Promise<OsUser | undefined> {
  try {
    const uid = Number((await runCommand('id', ['-u', name])).trim());
    const gid = Number((await runCommand('id', ['-g', name])).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

export function randomSecret(): string {
  return randomBytes(12).toString('hex');
}

/**
 * A fresh directory only this server uses, so parallel test processes never share data dirs, sockets or pid files.
 * When another account must own it, every ancestor has to be searchable by that account; a private TMPDIR (say under
 * /root) is not, so /tmp is used instead.
 */
export function makeServerDir(kind: string, owner?: OsUser): string {
  const base = owner && !searchableByOthers(tmpdir()) ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, `jit-idp-${kind}-`));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

function searchableByOthers(path: string): boolean {
  for (let current = path; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

export function removeDir(dir: string): void {
  // Retries because a server that was just killed may still be closing files in it for a moment.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/** A port nothing listens on right now; another process may still take it first, which start-up retries handle. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not determine a free port');
  return address.port;
}

/** Whether something accepts TCP connections on the loopback port. */
export async function isPortOpen(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface CommandOptions {
  runAs?: OsUser | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs a one-shot tool (initdb, openssl, ldapadd...) and returns its stdout; a failure carries the tool's output.
 * The tool gets its own process group so that a timeout (or the test process ending) also kills what it started:
 * mariadb-install-db is a shell script around a bootstrap server, which would otherwise live on and write into a
 * removed directory.
 */
export async function runCommand(file: string, args: readonly string[], options: CommandOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const command = [file, ...args].join(' ');
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  });
  const killGroup = (): void => {
    if (child.pid !== undefined) killNow(-child.pid);
  };
  const unregister = registerEmergencyCleanup(killGroup);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // A tool that exits without reading its input must not turn into an EPIPE error here.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input);
  const deadline = { passed: false };
  const timer = setTimeout(() => {
    deadline.passed = true;
    killGroup();
  }, timeoutMs);
  try {
    const { code, signal } = await new Promise<ExitInfo>((resolve, reject) => {
      child.once('error', reject);
      // 'close', not 'exit': all output has been read by then.
      child.once('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
    });
    const output = Buffer.concat(stdout).toString('utf8');
    if (code === 0) return output;
    const how = deadline.passed
      ? `did not finish within ${timeoutMs} ms`
      : code === null
        ? `was killed by ${String(signal)}`
        : `exited with code ${code}`;
    const log = `${output}\n${Buffer.concat(stderr).toString('utf8')}`.trim();
    throw new Error(`${command} ${how}${log ? `\n${tail(log)}` : ''}`);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error(`${command} could not be run: ${file} not found`, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    unregister();
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running server process whose stdout and stderr go to a log file in its temp dir. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** Asks nicely, then insists: `signal`, and SIGKILL if the process is still there after `graceMs`. */
  terminate(signal: NodeJS.Signals, graceMs: number): Promise<void>;
  logTail(lines?: number): string;
}

export interface SpawnServerOptions {
  name: string;
  command: string;
  args: readonly string[];
  logFile: string;
  cwd: string;
  runAs?: OsUser | undefined;
  env?: NodeJS.ProcessEnv;
}

export async function spawnServer(options: SpawnServerOptions): Promise<ServerProcess> {
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
      ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    });
  } finally {
    // The child has its own copy of the descriptor.
    closeSync(logFd);
  }
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    // A missing binary or a failed setuid shows up as 'error' and never as 'exit'. Later errors (a failed kill)
    // say nothing about whether the process still runs, so they must not mark it as gone.
    child.on('error', (error) => {
      if (child.pid !== undefined) return;
      exitInfo = { code: null, signal: null };
      resolve(exitInfo);
      appendToLog(options.logFile, `spawn failed: ${error.message}`);
    });
  });
  await Promise.race([new Promise((resolve) => child.once('spawn', resolve)), exited]);
  const pid = child.pid;
  if (pid === undefined || exitInfo) {
    throw new Error(`${options.name} could not be started\n${readTail(options.logFile)}`);
  }
  // A test that forgets stop() should not hang its process forever: unreferenced, the server no longer keeps the
  // event loop alive, the process ends, and the exit hook below kills the server. stop() holds a timer while it
  // waits, so a deliberate shutdown still runs to the end.
  child.unref();
  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    hasExited: () => exitInfo !== undefined,
    logTail: (lines) => readTail(options.logFile, lines),
    async terminate(signal, graceMs) {
      if (exitInfo) return;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const gracePeriod = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      // Cleared afterwards: a pending grace timer would keep the test process alive after everything is done.
      const outcome = await Promise.race([exited, gracePeriod]).finally(() => clearTimeout(timer));
      if (outcome === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

function appendToLog(file: string, line: string): void {
  try {
    appendFileSync(file, `${line}\n`);
  } catch {
    // The log is only a diagnostic aid.
  }
}

function readTail(file: string, lines = 40): string {
  try {
    return tail(readFileSync(file, 'utf8'), lines);
  } catch {
    return '(no log)';
  }
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it resolves without throwing. Fails early when the server process exits and at the deadline,
 * either way with the last probe error and the server's log tail, because that is usually where the cause is.
 */
export async function waitUntilReady(
  server: ServerProcess,
  probe: () => Promise<void>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (server.hasExited()) {
      const info = await server.exited;
      throw new StartupError(
        `${server.name} exited during start-up (code ${String(info.code)}, signal ${String(info.signal)})`,
        server.logTail(),
      );
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? lastError.message : String(lastError);
      throw new StartupError(
        `${server.name} did not accept connections within ${options.timeoutMs} ms (last attempt: ${cause})`,
        server.logTail(),
      );
    }
    await Promise.race([sleep(options.intervalMs ?? 50), server.exited]);
  }
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(`${message}\n--- server log (tail) ---\n${log}`);
    this.name = 'StartupError';
  }

  /** Another process took the port between our probe and the server's bind; starting again on a new port helps. */
  get portTaken(): boolean {
    return /address already in use|errno[= ]98\b/i.test(this.log);
  }
}

/**
 * Starts on a fresh port, and again on another one when the port was taken in the meantime: the port is probed free
 * before the server binds it, and a parallel test process can win that race.
 */
export async function withFreshPorts<T>(count: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    try {
      return await start(ports);
    } catch (error) {
      if (!(error instanceof StartupError && error.portTaken) || attempt === attempts) throw error;
    }
  }
}

/**
 * Last-resort clean-up for servers whose test never called stop(): an uncaught error, a failed `before` hook or a
 * signal ends the test process, and a server left behind would keep its port and temp dir until the machine reboots.
 * Only synchronous work is possible on exit, so this kills outright instead of shutting down cleanly.
 */
const emergencyCleanups = new Set<() => void>();
let exitHooksInstalled = false;

export function registerEmergencyCleanup(cleanup: () => void): () => void {
  installExitHooks();
  emergencyCleanups.add(cleanup);
  return () => emergencyCleanups.delete(cleanup);
}

function runEmergencyCleanups(): void {
  for (const cleanup of emergencyCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: keep going so the other servers are cleaned up too.
    }
  }
  emergencyCleanups.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.once('exit', runEmergencyCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      runEmergencyCleanups();
      process.removeListener(signal, onSignal);
      // Re-raise so the process still ends the way the signal meant, unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Kills a server process right now (for the exit hook), ignoring one that is already gone. */
export function killNow(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already exited.
  }
}
