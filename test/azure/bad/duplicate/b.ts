import { app } from '@azure/functions';

app.http('process', { handler: () => ({ body: 'b' }) });
