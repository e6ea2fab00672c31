// @ts-check
// mp-session/trace: the flight recorder an app passes as the `trace` option, kept out of the
// package's main file so that an app without it carries none of it. It keeps a session's last
// exchanges with the core as boundary.js's `tap` shows them: the session's creation (the
// options' slots and texts, the 4 random words), then each input's slots and texts as written
// (a string the core only passes on is a handle there, a number: no login code, token, openid,
// unionid or nickname is in them), a request URL's query blanked, its length kept; and the
// output the core answered, its slots and the code units its text pairs name. That is all a
// replay needs (mp_session::testing::trace, in Rust); the live log prints the same, a line an
// input and an effect.

import {
  EFFECT_CREATED, EFFECTS, HEADER, HEADER_DEADLINE, HEADER_TEXTS, HEADER_USED, KINDS, KIND_REQUEST, LAYOUT,
  NO_DEADLINE, VERSION, readEffects,
} from './layout.js'
import { units } from './units.js'

/** @typedef {import('./index').TraceEntry} Entry */
/** @typedef {import('./index').Trace} Trace */

/**
 * What the boundary shows a recorder of the exchange, fresh each time (boundary.js, `tap`):
 * the slots, the texts area, the slots and the code units written, the table, the text reader.
 * @typedef {[Float64Array, Uint16Array, number, number, { strings: string[], bytes: number[] },
 *   (at: number) => string | null]} Exchange
 */

/**
 * @typedef {{
 *   wrap(exports: import('./boundary').CoreExports, exchange: (answered: boolean) => Exchange): import('./boundary').CoreExports,
 *   read(options: Record<string, unknown>): Trace,
 * }} Recorder
 */

/**
 * A recorder keeping a session's last `limit` exchanges (200 unless it says; 1 to 10000) and,
 * with `log`, printing a line for each input and each effect (`true`: console.log).
 * @param {number | { limit?: number, log?: boolean | ((line: string) => void) }} [settings]
 * @returns {Recorder}
 */
function recorder(settings) {
  var given = typeof settings === 'object' && settings !== null ? settings : { limit: settings }
  var keep = given.limit === undefined ? 200 : given.limit
  if (!(typeof keep === 'number' && keep % 1 === 0 && keep >= 1 && keep <= 10000)) {
    throw new RangeError('mp-session/trace: recorder({ limit }) keeps 1 to 10000 exchanges')
  }
  var logTo = given.log === true ? function (/** @type {string} */ line) { console.log(line) } : given.log || null
  if (logTo !== null && typeof logTo !== 'function') throw new TypeError('mp-session/trace: recorder({ log }) takes true or a function')
  /** The live log's line, if there is a log; a log that throws loses its line, nothing more. @type {((line: string) => void) | null} */
  var log = logTo && function (line) {
    try {
      /** @type {(line: string) => void} */ (logTo)(line)
    } catch (error) {
      // The session goes on: a log is never a reason for a login to fail.
    }
  }
  /** @type {Entry[]} */
  var entries = []
  var dropped = 0
  /** The session recorded: its id in the core, -1 once closed; `armed` until it is created. */
  var id = -1
  var armed = false
  var started = 0

  /**
   * The input about to cross, as written: a request's URL is its only text, and its user
   * name and password, its query and its fragment may hold what the app sends, so they are
   * blanked (each code unit by one of the same UTF-8 width; spaces and controls kept: the
   * core's checks of a URL decide the same on the blanked one).
   * @param {Exchange} x @param {Entry} entry
   */
  function input(x, entry) {
    var text = units(x[1], 0, x[3])
    if (entry.kind === KIND_REQUEST) text = blankUrl(text)
    entry.slots = numbers(x[0], x[2])
    entry.texts = text
    entries.push(entry)
    if (entries.length > keep) {
      entries.shift()
      dropped++
    }
    if (log) log('mp-session ' + (entry.create ? 'create' : stamp(entry.t) + ' ' + KINDS[/** @type {number} */ (entry.kind)] + ' ' + entry.arg + (entry.flag ? ' flag ' + entry.flag : '')))
  }

  /** The output answered: its slots (its texts' address as 0) and the code units its pairs name. @param {Exchange} x @param {Entry} entry */
  function output(x, entry) {
    var F = x[0]
    var end = 0
    /** @type {Array<{ tag: number, [part: string]: any }>} */
    var effects = []
    readEffects(F, HEADER, F[HEADER_USED], function (/** @type {number} */ at) {
      if (F[at] >= 0 && F[at + 1] >= 0) end = Math.max(end, F[at] + F[at + 1])
      return F[at] >= 0 && F[at + 1] < 0 ? '#' + F[at] : x[5](at)
    }, function () {}, effects)
    var out = numbers(F, F[HEADER_USED])
    out[HEADER_TEXTS] = 0
    entry.out = out
    entry.outTexts = units(x[1], 0, end)
    if (log) {
      for (var i = 0; i < effects.length; i++) log('mp-session   ' + describe(effects[i]))
      if (F[HEADER_DEADLINE] !== NO_DEADLINE) log('mp-session   deadline ' + stamp(F[HEADER_DEADLINE]))
    }
    return effects
  }

  /**
   * The call into the core for `entry`: if the core traps (a bug: it must not), the trace
   * says so where the output would be, and the trap goes on to the shim.
   * @param {Entry} entry @param {() => void} call
   */
  function crossing(entry, call) {
    try {
      call()
    } catch (cause) {
      entry.trapped = String(cause && /** @type {any} */ (cause).message || cause)
      if (log) log('mp-session   the core trapped: ' + entry.trapped)
      throw cause
    }
  }

  /** A time as milliseconds since the first input. @param {number} t */
  function stamp(t) {
    if (!started) started = t
    return '+' + (t - started) + ' ms'
  }

  /** What the hub asks of this recorder. @type {Tapping} */
  var me = {
    armed: function () { return armed },
    id: function () { return id },
    create: function (core, exchange, e) {
      armed = false
      /** @type {Entry} */
      var entry = { t: 0, create: e.map(function (w) { return w >>> 0 }), slots: [], texts: '', out: [], outTexts: '' }
      input(exchange(false), entry)
      crossing(entry, function () { core.mps_create(e[0], e[1], e[2], e[3]) })
      var made = output(exchange(true), entry)[0]
      id = made && made.tag === EFFECT_CREATED ? made.id : -1
    },
    input: function (core, exchange, call) {
      // As the module receives them: a time as it is, the rest as 32-bit integers.
      /** @type {Entry} */
      var entry = { t: call[4], kind: call[1] >>> 0, arg: call[2] >>> 0, flag: call[3] | 0, strings: call[5] >>> 0, slots: [], texts: '', out: [], outTexts: '' }
      input(exchange(false), entry)
      crossing(entry, function () { core.mps_input(call[0], call[1], call[2], call[3], call[4], call[5]) })
      output(exchange(true), entry)
    },
    closed: function () { id = -1 },
  }

  return {
    // Armed by each wrap (the shim taps just before it creates the session), it records the
    // creation that follows and learns the session's id; the recorders of one core share one
    // wrapper (a hub), which a closed session's leaves.
    wrap: function (core, exchange) {
      armed = true
      var hub = /** @type {any} */ (core)[HUB]
      if (hub) {
        hub.push(me)
        return core
      }
      return tapped(core, exchange, [me])
    },
    // JSON-ready: the package's version, the boundary's layout, the options as given (not the
    // platform's API object, nor this recorder; the hooks, functions, drop out), how many
    // exchanges were dropped off the front, the exchanges.
    read: function (options) {
      var shown = Object.assign({}, options)
      delete shown.api
      delete shown.trace
      return JSON.parse(JSON.stringify({ version: VERSION, layout: LAYOUT, options: shown, dropped: dropped, entries: entries }))
    },
  }
}

/** Where the wrapped exports keep the recorders tapping their core. */
var HUB = '__mpSessionRecorders'

/**
 * A recorder as the hub sees it: whether it waits for its session's creation, the session's
 * id (-1: none, or closed), and what records a creation (its 4 words) and an input (the six
 * arguments of mps_input).
 * @typedef {{
 *   armed(): boolean, id(): number, closed(): void,
 *   create(core: import('./boundary').CoreExports, exchange: (answered: boolean) => Exchange, e: number[]): void,
 *   input(core: import('./boundary').CoreExports, exchange: (answered: boolean) => Exchange, call: number[]): void,
 * }} Tapping
 */

/**
 * The exports of `core` with `hub`'s recorders tapping them: a creation goes to the armed
 * one, an input to the one of its session; the rest pass straight through.
 * @param {import('./boundary').CoreExports} core @param {(answered: boolean) => Exchange} exchange
 * @param {Tapping[]} hub @returns {import('./boundary').CoreExports}
 */
function tapped(core, exchange, hub) {
  /** @type {any} */
  var wrapped = Object.assign({}, core, {
    mps_create: function (/** @type {number} */ e0, /** @type {number} */ e1, /** @type {number} */ e2, /** @type {number} */ e3) {
      for (var i = 0; i < hub.length; i++) {
        if (hub[i].armed()) {
          var r = hub[i]
          r.create(core, exchange, [e0, e1, e2, e3])
          // Not made: nothing more comes for it.
          if (r.id() < 0) hub.splice(i, 1)
          return
        }
      }
      core.mps_create(e0, e1, e2, e3)
    },
    mps_input: function (/** @type {number} */ sid, /** @type {number} */ kind, /** @type {number} */ arg,
      /** @type {number} */ flag, /** @type {number} */ now, /** @type {number} */ strings) {
      for (var i = 0; i < hub.length; i++) {
        if (sid >= 0 && hub[i].id() === sid) return hub[i].input(core, exchange, [sid, kind, arg, flag, now, strings])
      }
      core.mps_input(sid, kind, arg, flag, now, strings)
    },
    mps_close: function (/** @type {number} */ sid) {
      // The core may give the id to a session made later: that one is not this recorder's.
      for (var i = 0; i < hub.length; i++) {
        if (sid >= 0 && hub[i].id() === sid) {
          hub[i].closed()
          hub.splice(i, 1)
          break
        }
      }
      core.mps_close(sid)
    },
  })
  wrapped[HUB] = hub
  return wrapped
}

/**
 * The first `n` slots as JSON keeps them: a number that is not finite (JSON has none) as its
 * name, `'NaN'`, `'Infinity'` or `'-Infinity'`.
 * @param {Float64Array} slots @param {number} n @returns {Array<number | string>}
 */
function numbers(slots, n) {
  var out = []
  for (var i = 0; i < n; i++) out.push(isFinite(slots[i]) ? slots[i] : String(slots[i]))
  return out
}

/**
 * A request URL with what the app may send blanked: the user name and password before the
 * host, and everything from the query or the fragment on (its `?` or `#` kept).
 * @param {string} url
 */
function blankUrl(url) {
  var scheme = url.indexOf('://')
  var from = scheme < 0 ? 0 : scheme + 3
  var rest = url.slice(from)
  var end = rest.search(/[/?#]/)
  var authority = end < 0 ? rest : rest.slice(0, end)
  var at = authority.lastIndexOf('@')
  var head = url.slice(0, from) + (at < 0 ? authority : blank(authority.slice(0, at)) + authority.slice(at))
  var tail = end < 0 ? '' : rest.slice(end)
  var query = tail.search(/[?#]/)
  return query < 0 ? head + tail : head + tail.slice(0, query + 1) + blank(tail.slice(query + 1))
}

/**
 * `text` with each character replaced by one of the same UTF-8 width (`x`, `ß`, `中`, a pair
 * by `😀`), spaces and control characters kept: a check of length, spaces or controls finds
 * the same in it.
 * @param {string} text
 */
function blank(text) {
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[^\s\x00-\x1f\x7f-\x9f]/g, function (c) {
    if (c.length === 2) return '\ud83d\ude00'
    var code = c.charCodeAt(0)
    return code < 0x80 ? 'x' : code < 0x800 ? '\u00df' : '\u4e2d'
  })
}

/** An effect in a line of the live log: its name, its numbers, an error's code. @param {Record<string, any>} e */
function describe(e) {
  var line = EFFECTS[e.tag]
  for (var key in e) {
    if (key !== 'tag' && typeof e[key] === 'number' && e[key] === e[key]) line += ' ' + key + ' ' + e[key]
    else if (key === 'group') line += ' ' + e[key]
  }
  return e.error ? line + ' ' + e.error.code : line
}

/**
 * `session.trace()` as lines for WeChat's real-time log (wx.getRealtimeLogManager), which
 * keeps at most 5 KB and 200 calls of what a page logs between onShow and onHide: each line
 * `mp-session-trace <i>/<n> <part of the JSON>`, at most `bytes` UTF-8 bytes long (4000
 * unless it says). `mp-session-trace` (the Rust command)
 * and `mp_session::testing::trace` read the lines back, in any order.
 * @param {Trace} trace @param {number} [bytes] @returns {string[]}
 */
function lines(trace, bytes) {
  var most = bytes === undefined ? 4000 : bytes
  if (!(most % 1 === 0 && most >= 200)) throw new RangeError('mp-session/trace: lines(trace, bytes) takes 200 bytes or more')
  // Escaped to ASCII (JSON.stringify leaves the rest as it is), a part is as many bytes as
  // code units, after the head `mp-session-trace <i>/<n> ` (19 and the digits of i and n).
  var text = JSON.stringify(trace).replace(/[\u007f-\uffff]/g, function (c) {
    return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4)
  })
  var digits = 1
  var step = most - 19 - 2 * digits
  while (String(Math.ceil(text.length / step)).length > digits) step = most - 19 - 2 * ++digits
  var parts = []
  for (var i = 0; i < text.length; i += step) parts.push(text.slice(i, i + step))
  return parts.map(function (part, i) { return 'mp-session-trace ' + (i + 1) + '/' + parts.length + ' ' + part })
}

export { recorder, lines }
