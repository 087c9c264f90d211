import * as df from 'durable-functions';

df.app.activity('old', { handler: () => 'never loaded' });
