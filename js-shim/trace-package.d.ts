// mp-session/trace: the flight recorder, passed as the `trace` option (copied to trace/index.d.ts).
import type { Recorder } from '../index'

export type { Recorder, TraceEntry } from '../index'

/** A recorder keeping a session's last `limit` exchanges with the core (200 unless it says; 1 to 10000). */
export function recorder(limit?: number): Recorder
