/**
 * The offline simulator: run orchestrations on a virtual clock with deterministic IDs,
 * inject faults, and print histories as trees. Platform-neutral (web-standard APIs only).
 *
 * @example
 * import { Simulation } from 'edge-durable/core/simulator';
 * const sim = new Simulation(app, { start: new Date('2026-01-01T00:00:00Z') });
 * const id = await sim.startNew('Approval', { input: { timeoutSeconds: 3600 } });
 * await sim.raiseEvent(id, 'Approval', true, { at: 30 * 60_000 });
 * await sim.runUntilIdle();
 * console.log(await sim.formatHistoryTree(id));
 * @module
 */

export { checkHistory } from './check.js';
export { type ActivityFault, type InjectedFailure, isSimulatedCrash, SimulatedCrash } from './faults.js';
export { deterministicIds } from './ids.js';
export { DEFAULT_SIMULATION_START, type RunOptions, type ScheduleOptions, Simulation, type SimulationLogEntry, type SimulationOptions } from './simulation.js';
export { type ChildHistory, formatDuration, formatHistoryTree, type TreeOptions } from './tree.js';
