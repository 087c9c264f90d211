import * as df from 'durable-functions';

df.app.activity('process', { handler: () => 'a' });
