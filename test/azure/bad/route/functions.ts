import { app } from '@azure/functions';

app.http('download', { route: 'files/{name:regex(^[a-z]+$)}', handler: () => ({ body: 'file' }) });
