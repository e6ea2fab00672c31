// @ts-check
'use strict'
// The JavaScript half of the core's boundary: four exported functions that take numbers, and
// one exchange buffer in the core's memory where text crosses as UTF-16 code units (what a
// JavaScript string is made of: no TextEncoder, which phones lack). Text goes in with one
// charCodeAt loop and comes back as one JSON text, read with fromCharCode and JSON.parse,
// both native. See src/host/mod.rs for the other half.

/** Longest text copied in: the core refuses a longer one unread, knowing only its length. */
var MAX_INPUT_UNITS = 65536
/** Units read per fromCharCode.apply (engines limit the arguments of one call). */
var CHUNK = 4096

/**
 * @typedef {{
 *   memory: WebAssembly.Memory,
 *   mps_io(units: number): number,
 *   mps_create(kind: number, e0: number, e1: number, e2: number, e3: number, len: number): number,
 *   mps_input(id: number, kind: number, arg: number, flag: number, now: number, len: number): number,
 *   mps_close(id: number): void,
 * }} CoreExports
 * @typedef {{ t: number | null, s: object[], e: any[][] }} Output
 */

/** @param {CoreExports} exports */
function createBoundary(exports) {
  var address = exports.mps_io(1024)
  var capacity = 1024
  /** @type {Uint16Array | null} */
  var view = null

  /** The memory as code units; a new view after the memory grew. */
  function units() {
    if (!view || view.buffer !== exports.memory.buffer) view = new Uint16Array(exports.memory.buffer)
    return view
  }

  /** @param {number} needed */
  function reserve(needed) {
    if (needed > capacity) {
      address = exports.mps_io(needed)
      capacity = needed
    }
  }

  /**
   * Copies `text` into the buffer and returns its length (a text too long is not copied).
   * @param {string | undefined} text
   */
  function put(text) {
    if (!text) return 0
    var length = text.length
    if (length > MAX_INPUT_UNITS) return length
    reserve(length)
    var memory = units()
    var at = address >>> 1
    for (var i = 0; i < length; i++) memory[at + i] = text.charCodeAt(i)
    return length
  }

  /** @param {number} length @returns {any} */
  function get(length) {
    reserve(length)
    var memory = units()
    var at = address >>> 1
    var text = ''
    for (var i = 0; i < length; i += CHUNK) {
      text += String.fromCharCode.apply(null, /** @type {any} */ (memory.subarray(at + i, at + Math.min(length, i + CHUNK))))
    }
    return JSON.parse(text)
  }

  return {
    /**
     * A new session: `{ id }`, or `{ error }` when an option is wrong.
     * @param {number} kind 0 a mini-program, 1 a web page
     * @param {Uint8Array} entropy 16 random bytes
     * @param {string} text the options as JSON
     * @returns {{ id?: number, error?: any }}
     */
    create: function (kind, entropy, text) {
      var words = [0, 0, 0, 0]
      for (var i = 0; i < 16; i++) words[i >> 2] |= (entropy[i] || 0) << ((i & 3) * 8)
      return get(exports.mps_create(kind, words[0] >>> 0, words[1] >>> 0, words[2] >>> 0, words[3] >>> 0, put(text)))
    },
    /**
     * Feeds one input; gives back the core's effects.
     * @param {number} id @param {number} kind @param {number} arg @param {number} flag
     * @param {number} now @param {string} [text]
     * @returns {Output}
     */
    input: function (id, kind, arg, flag, now, text) {
      return get(exports.mps_input(id, kind, arg, flag, now, put(text)))
    },
    /** @param {number} id */
    close: function (id) {
      exports.mps_close(id)
    },
  }
}

module.exports = { createBoundary: createBoundary }
