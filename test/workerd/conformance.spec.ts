/** The storage conformance suite inside workerd, on real KV and Durable Object bindings. */
import { env } from 'cloudflare:workers';
import { KvStorage } from '../../core/store/kv/index.js';
import { DurableObjectStorage } from '../../edge-worker/cloudflare/remote.js';
import { runStoreConformance } from '../conformance/store.case.js';
import { isolated } from './isolated.js';

runStoreConformance('kv (workerd KV binding)', () => new KvStorage(env.KV, { prefix: `${crypto.randomUUID()}/`, snapshotEvery: 3 }));
runStoreConformance('durable object (workerd, over RPC)', () => new DurableObjectStorage(isolated(env.TASK_HUB)), { eagerDispatch: true });
