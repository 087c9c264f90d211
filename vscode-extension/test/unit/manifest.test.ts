// package.json is code too: command IDs, menus and `when` clauses must agree with the extension and with each other.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { commandHandlers, registerCommands } from '../../src/commands/register-commands.js';
import { type InstanceOperation, offers, RUNTIME_STATUSES } from '../../src/wire.js';
import { registeredCommands, resetStub } from '../support/vscode-stub.js';

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
const itemMenus: { command: string; when: string; group: string }[] = manifest.contributes.menus['view/item/context'];

/** Evaluates the `when` clauses this manifest uses: `a == b`, `a =~ /re/` and `&&`. */
function matches(when: string, context: Record<string, string>): boolean {
  return when.split('&&').every((term) => {
    const equal = /^\s*(\w+)\s*==\s*(\S+)\s*$/.exec(term);
    if (equal) return context[equal[1]!] === equal[2];
    const regex = /^\s*(\w+)\s*=~\s*\/(.+)\/\s*$/.exec(term);
    if (regex) return new RegExp(regex[2]!).test(context[regex[1]!] ?? '');
    throw new Error(`unsupported when clause term: ${term}`);
  });
}

/** The context-menu commands (not inline buttons) VS Code would show for a tree item with this context value. */
function menuFor(viewItem: string): string[] {
  return itemMenus
    .filter((m) => m.group !== 'inline' && !m.group.startsWith('inline@') && matches(m.when, { view: 'edgeDurable.explorer', viewItem }))
    .map((m) => m.command.replace('edgeDurable.', ''));
}

beforeEach(() => resetStub());

describe('package.json', () => {
  it('ships one bundle as both main and browser, for VS Code 1.90 or later', () => {
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.browser).toBe(manifest.main);
    expect(manifest.engines.vscode).toBe('^1.90.0');
    expect(manifest.contributes.views.edgeDurable[0].id).toBe('edgeDurable.explorer');
    expect(manifest.contributes.viewsContainers.activitybar[0]).toMatchObject({ id: 'edgeDurable', title: 'Edge Durable' });
  });

  it('contributes exactly the commands the extension registers', () => {
    registerCommands({} as never);
    expect([...registeredCommands.keys()].sort()).toEqual([...contributed].sort());
    expect(Object.keys(commandHandlers({} as never)).sort()).toEqual([...contributed].sort());
  });

  it('only references contributed commands in menus', () => {
    const referenced = Object.values(manifest.contributes.menus).flatMap((menu) => (menu as { command: string }[]).map((m) => m.command));
    for (const command of referenced) expect(contributed).toContain(command);
  });

  it('has the default local connection and the auto-refresh settings', () => {
    const properties = manifest.contributes.configuration.properties;
    expect(properties['edgeDurable.connections'].default).toEqual([{ name: 'Local', endpoint: 'http://127.0.0.1:7071' }]);
    expect(properties['edgeDurable.autoRefresh'].default).toBe(true);
    expect(properties['edgeDurable.autoRefreshIntervalSeconds'].default).toBeGreaterThan(0);
  });
});

describe('context menus', () => {
  const always = [
    'openInstance',
    'showStatus',
    'showHistory',
    'showTimeline',
    'exportHistory',
    'goToOrchestratorCode',
    'restart',
    'copyInstanceId',
    'copyStatusUrl',
    'checkAgainstCode',
    'debugReplay',
  ];
  const mutating = [
    'raiseEvent',
    'suspend',
    'resume',
    'terminate',
    'rewind',
    'restart',
    'purge',
    'startInstance',
    'batchOperation',
    'purgeByFilter',
    'deleteTaskHub',
  ];

  it('offers per runtime status exactly the operations that apply to it', () => {
    expect(menuFor('instance.Running').sort()).toEqual([...always, 'raiseEvent', 'suspend', 'terminate'].sort());
    expect(menuFor('instance.Pending').sort()).toEqual([...always, 'raiseEvent', 'suspend', 'terminate'].sort());
    expect(menuFor('instance.Suspended').sort()).toEqual([...always, 'raiseEvent', 'resume', 'terminate'].sort());
    expect(menuFor('instance.Failed').sort()).toEqual([...always, 'rewind', 'purge'].sort());
    expect(menuFor('instance.Completed').sort()).toEqual([...always, 'purge'].sort());
    expect(menuFor('instance.Terminated').sort()).toEqual([...always, 'purge'].sort());
  });

  it('agrees with the status rules the batch operations use', () => {
    const menuCommand: Partial<Record<InstanceOperation, string>> = {
      terminate: 'terminate',
      suspend: 'suspend',
      resume: 'resume',
      rewind: 'rewind',
      raiseEvent: 'raiseEvent',
      purge: 'purge',
      restart: 'restart',
    };
    for (const status of RUNTIME_STATUSES) {
      for (const [operation, command] of Object.entries(menuCommand)) {
        expect([status, operation, menuFor(`instance.${status}`).includes(command!)]).toEqual([
          status,
          operation,
          offers(operation as InstanceOperation, status),
        ]);
      }
    }
  });

  it('offers the read-only instance commands on a sub-orchestration with a known ID, and nothing without one', () => {
    expect(menuFor('subOrchestration').sort()).toEqual([
      'copyInstanceId',
      'copyStatusUrl',
      'exportHistory',
      'openInstance',
      'showHistory',
      'showStatus',
      'showTimeline',
    ]);
    expect(menuFor('subOrchestration.offline')).toEqual(['openInstance']);
    expect(menuFor('subOrchestration.unknownId')).toEqual([]);
  });

  it('offers hub commands, with "Clear Filter" only on a filtered hub', () => {
    const hub = [
      'showHubOverview',
      'checkAgainstCode',
      'startInstance',
      'goToInstance',
      'refresh',
      'filterInstances',
      'batchOperation',
      'purgeByFilter',
      'deleteTaskHub',
    ];
    expect(menuFor('taskHub').sort()).toEqual([...hub].sort());
    expect(menuFor('taskHub.filtered').sort()).toEqual([...hub, 'clearFilter'].sort());
  });

  it('offers no mutating command on a read-only connection, and every read command', () => {
    for (const status of RUNTIME_STATUSES) {
      const menu = menuFor(`instance.${status}.readOnly`);
      expect(menu.filter((command) => mutating.includes(command))).toEqual([]);
      expect(menu.sort()).toEqual(always.filter((command) => command !== 'restart').sort());
    }
    expect(menuFor('taskHub.readOnly').sort()).toEqual(['checkAgainstCode', 'filterInstances', 'goToInstance', 'refresh', 'showHubOverview']);
    expect(menuFor('taskHub.filtered.readOnly').sort()).toEqual([
      'checkAgainstCode',
      'clearFilter',
      'filterInstances',
      'goToInstance',
      'refresh',
      'showHubOverview',
    ]);
  });

  it('offers only opening, code navigation and replay on an offline bundle instance', () => {
    expect(menuFor('offlineInstance').sort()).toEqual(['checkAgainstCode', 'debugReplay', 'goToOrchestratorCode', 'openInstance']);
    expect(menuFor('offline')).toEqual(['closeHistoryBundles']);
  });

  it('offers refresh, edit and remove on a connection and nothing on messages or history rows', () => {
    expect(menuFor('connection').sort()).toEqual(['editConnection', 'refresh', 'removeConnection']);
    for (const other of ['error', 'message', 'episode', 'activity.completed', 'timer.fired', 'loadMore']) expect(menuFor(other)).toEqual([]);
  });
});
