import { describe, expect, it } from 'vitest';
import { documentUri, parseDocumentUri } from '../../src/documents.js';
import { Uri } from '../support/vscode-stub.js';

describe('instance document URIs', () => {
  it('round-trip connection, hub, instance ID and kind, even with slashes and spaces', () => {
    const target = { connectionName: 'Prod / EU', taskHub: 'orders hub', instanceId: 'order:42/a', kind: 'history' as const };
    const uri = documentUri(target);
    expect(uri.scheme).toBe('edge-durable');
    expect(uri.path.endsWith('.history.json')).toBe(true);
    expect(parseDocumentUri(uri)).toEqual(target);
    // and after VS Code serialized and parsed the URI again
    expect(parseDocumentUri(Uri.parse(uri.toString()) as never)).toEqual(target);
  });

  it('rejects URIs that are not instance documents', () => {
    expect(parseDocumentUri(Uri.from({ scheme: 'edge-durable', path: '/a/b' }) as never)).toBeUndefined();
    expect(parseDocumentUri(Uri.from({ scheme: 'edge-durable', path: '/a/b/c.txt' }) as never)).toBeUndefined();
  });
});
