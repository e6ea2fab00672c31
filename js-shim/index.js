// @ts-check
// mp-session for mini-programs with WebAssembly in the logic layer: WeChat (base library
// 2.14.0 for the .wasm.br) and Douyin. The decisions live in the WebAssembly core; entry.js
// hands it a host that speaks the platform's API and turns its answers into promises.

import { createEntry } from './entry.js'
import { loadCore, preloadCore } from './core.js'

// The package's one export, as CommonJS (WeChat's module system).
module.exports = createEntry(loadCore, null)
preloadCore()
