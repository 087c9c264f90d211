import { app } from '@azure/functions';
import * as df from 'durable-functions';

df.app.activity('cleanupStep', { handler: () => 'ok' });
app.timer('nightlyCleanup', { schedule: '0 0 2 * * *', handler: () => undefined });
