// Test helper extension (Node extension host only). At activation it sets the configured breakpoints through
// vscode.debug.addBreakpoints; a debug adapter tracker on every session records to a JSON-lines file the session
// starts, each `stopped` event with the top frame (file, line) and the configured expression evaluated there, the
// program's output, and the session's end. It continues after each stop (holdMs later), so the program runs to its end.
const fs = require('node:fs');
const vscode = require('vscode');

exports.activate = (context) => {
  const settings = vscode.workspace.getConfiguration('edgeDurableProbe');
  const logFile = settings.get('log');
  const expression = settings.get('evaluate');
  const holdMs = settings.get('holdMs');
  const record = (entry) => fs.appendFileSync(logFile, `${JSON.stringify({ at: Date.now(), ...entry })}\n`);
  const breakpoints = settings
    .get('breakpoints')
    .map(({ file, line }) => new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line - 1, 0))));
  vscode.debug.addBreakpoints(breakpoints);
  record({ kind: 'ready', breakpoints: breakpoints.length });

  const onStopped = async (session, body) => {
    try {
      const { stackFrames } = await session.customRequest('stackTrace', { threadId: body.threadId, startFrame: 0, levels: 1 });
      const top = stackFrames[0];
      let value;
      if (expression && top) {
        try {
          value = (await session.customRequest('evaluate', { expression, frameId: top.id, context: 'watch' })).result;
        } catch (error) {
          value = `error: ${error.message}`;
        }
      }
      record({ kind: 'stopped', session: session.type, reason: body.reason, file: top?.source?.path, line: top?.line, name: top?.name, value });
      // paused long enough for the test to see the workbench stopped at the line
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      await session.customRequest('continue', { threadId: body.threadId });
    } catch (error) {
      record({ kind: 'probe-error', message: String(error?.message ?? error) });
    }
  };

  context.subscriptions.push(
    vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker(session) {
        record({ kind: 'session', type: session.type, name: session.name });
        return {
          onDidSendMessage(message) {
            if (message.type !== 'event') return;
            if (message.event === 'stopped') void onStopped(session, message.body);
            else if (message.event === 'output' && message.body?.category !== 'telemetry') record({ kind: 'output', text: message.body.output });
          },
        };
      },
    }),
    vscode.debug.onDidTerminateDebugSession((session) => record({ kind: 'terminated', type: session.type, name: session.name })),
  );
};
