import { DEMO_LEGACY_TOKEN } from './demo-mode.js';
import { DEMO_USERS } from './demo-users.js';
import { LegacyUserService } from './legacy-service.js';

/** The demo legacy user service on its own (`npm run demo:legacy`), e.g. as a container beside the IdP. */
const service = new LegacyUserService({
  users: DEMO_USERS,
  token: process.env.LEGACY_TOKEN ?? DEMO_LEGACY_TOKEN,
  port: Number(process.env.PORT ?? 3001),
  host: process.env.HOST ?? '127.0.0.1',
});
await service.start();
process.stdout.write(
  `demo legacy user service listening on ${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3001}\n`,
);
const stop = () => void service.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
