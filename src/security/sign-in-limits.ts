import { normaliseLogin } from '../accounts/account.js';
import { stricter, type RateLimiter, type Verdict } from './rate-limiter.js';

/**
 * The sign-in form's limits, which stop guessing without locking anyone out (the rules and their defaults are in
 * `rateLimits` of the configuration):
 * - the pair (address, login) is the guesser's own door: refused past its limit, cleared by a success from it;
 * - a login's failures from anywhere only slow every attempt on it down, up to a few seconds, never refuse it: a
 *   stranger cannot lock the rightful user out, and the rightful user, from an address that has not failed, gets in;
 * - an address's failures (password spraying) slow, then refuse it, generously, since an office is one address;
 * - an address's attempts of any outcome are bounded far above an office's morning rush.
 * Only failures count, so double submits, several tabs and bursts of the right password never do. Nothing here
 * depends on the login's migration state: unknown, unmigrated and migrated logins meet the same limits.
 */

export interface SignInLimits {
  /** Before the password is judged: refused, or how long to wait first. Counts the attempt against the address. */
  before(address: string, typedLogin: string): Promise<Verdict>;
  /** After it: a refusal counts against the pair, the login and the address; a success clears the pair. */
  after(address: string, typedLogin: string, outcome: 'refused' | 'signed-in'): Promise<void>;
}

export function signInLimits(limiter: RateLimiter): SignInLimits {
  const checks = (address: string, typedLogin: string) => {
    const login = normaliseLogin(typedLogin);
    return {
      // A newline cannot be part of either (addresses have none, logins with one are refused), so pairs are unique.
      pair: { rule: 'signInFailuresPerPair', subject: `${address}\n${login}` },
      login: { rule: 'signInFailuresPerLogin', subject: login },
      address: { rule: 'signInFailuresPerAddress', subject: address },
    };
  };
  return {
    async before(address, typedLogin) {
      const { pair, login, address: failures } = checks(address, typedLogin);
      return stricter(
        await limiter.attempt([{ rule: 'signInPerAddress', subject: address }]),
        await limiter.peek([pair, login, failures]),
      );
    },
    async after(address, typedLogin, outcome) {
      const { pair, login, address: failures } = checks(address, typedLogin);
      if (outcome === 'signed-in') {
        await limiter.clear(pair);
        return;
      }
      await Promise.all([limiter.count(pair), limiter.count(login), limiter.count(failures)]);
    },
  };
}
