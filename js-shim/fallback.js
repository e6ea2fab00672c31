// @ts-check
// mp-session/fallback: the core as JavaScript (binaryen's wasm2js of the shipped .wasm), for
// a WeChat app to put in a subpackage and load with `require.async` when a phone's
// WebAssembly is missing or fails (the `fallback` option; core.js). Not the shim: only the
// core, with the digest of the .wasm it was made from, which the shim checks.

import { default as makeInstance } from 'mp-session-plain-core'

module.exports = {
  /** The digest of the .wasm this core was made from (scripts/build). */
  core: MP_SESSION_CORE_ID,
  /** A fresh instance's exports (each instance has its own memory). */
  instantiate: makeInstance,
}
