import { createServer } from 'node:http';
import { listen, requestListener } from '../server.js';
import { createDemoApp } from './client-app.js';
import { DEMO_CLIENT_ID } from './demo-mode.js';
import { DEMO_USERS } from './demo-users.js';

/** The demo app on its own (`npm run demo:app`), against an IdP that declares it as a client. */
const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} must be set\n`);
    process.exit(78);
  }
  return value;
};
const port = Number(process.env.PORT ?? 3002);
const app = createDemoApp({
  issuer: required('ISSUER'),
  client: {
    clientId: process.env.DEMO_CLIENT_ID ?? DEMO_CLIENT_ID,
    clientSecret: required('DEMO_CLIENT_SECRET'),
    baseUrl: process.env.APP_URL ?? `http://localhost:${port}`,
  },
  users: DEMO_USERS,
});
const server = createServer(requestListener(app));
await listen(server, port, process.env.HOST);
process.stdout.write(`demo app listening on port ${port}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
