// mp-session/trace: the flight recorder, passed as the `trace` option (copied to trace/index.d.ts).
import type { Recorder, Trace } from '../index'

export type { Recorder, Trace, TraceEntry } from '../index'

/** How a recorder is set: how many exchanges it keeps, and whether it logs each as it crosses. */
export interface RecorderSettings {
  /** The last exchanges kept: 200 unless it says; 1 to 10000. */
  limit?: number
  /** A line for each input and each effect, as it crosses: `true` prints them with console.log; a function gets each line. */
  log?: boolean | ((line: string) => void)
}

/** A recorder keeping a session's last exchanges with the core (`recorder(50)` is `recorder({ limit: 50 })`). */
export function recorder(settings?: number | RecorderSettings): Recorder

/**
 * `session.trace()` as lines for WeChat's real-time log (which keeps at most 5 KB of what a page
 * logs between onShow and onHide: a launch's trace fits, a longer one does not): each
 * `mp-session-trace <i>/<n> <part>`, at most `bytes` UTF-8 bytes (4000 unless it says; 200 or
 * more). The `mp-session-trace` command and `mp_session::testing::trace` read them back.
 */
export function lines(trace: Trace, bytes?: number): string[]
