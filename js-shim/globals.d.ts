// Declarations that let `tsc --checkJs` check the shim (scripts/test runs it).

/** The mini-program's API object, when the shim runs inside WeChat. */
declare const wx: import('./index').WxLike | undefined
/** Douyin's, QQ's, Baidu's and Kuaishou's API objects (wx.*'s shape), and Alipay's (its own). */
declare const tt: import('./index').WxLike | undefined
declare const qq: import('./index').WxLike | undefined
declare const swan: import('./index').WxLike | undefined
declare const ks: import('./index').WxLike | undefined
declare const my: unknown

/** WeChat's WebAssembly loader: a path inside the code package, never bytes. */
declare const WXWebAssembly: {
  instantiate(path: string, imports: object): Promise<WebAssembly.Instance | { instance: WebAssembly.Instance }>
}

/** Douyin's WebAssembly loader, shaped as WeChat's (base library 2.34.0.0; `.wasm.br` from 2.92.0.0). */
declare const TTWebAssembly: typeof WXWebAssembly

/** The wasm-bindgen glue of the web build (`--target web`), bundled in by scripts/build. */
declare module 'mp-session-web-glue' {
  /** Loads the module; resolves with its exports (boundary.js drives them). */
  export default function init(input: { module_or_path: unknown }): Promise<unknown>
}

/** The core as JavaScript (binaryen's wasm2js of the same .wasm), bundled in by scripts/build. */
declare module 'mp-session-plain-core' {
  /** A fresh instance's exports: the four functions and its memory. */
  export default function makeInstance(imports: object): WebAssembly.Exports
}

/** The digest of the .wasm this bundle was built with (scripts/build defines it): the
 * JavaScript core a subpackage holds (mp-session/fallback) must be made from the same one. */
declare const MP_SESSION_CORE_ID: string
