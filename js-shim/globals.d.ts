// Declarations that let `tsc --checkJs` check the shim (scripts/test runs it).

/** The mini-program's API object, when the shim runs inside WeChat. */
declare const wx: import('./index').WxLike | undefined

/** WeChat's WebAssembly loader: a path inside the code package, never bytes. */
declare const WXWebAssembly: {
  instantiate(path: string, imports: object): Promise<WebAssembly.Instance | { instance: WebAssembly.Instance }>
}

/** The wasm-bindgen glue of the web build (`--target web`), bundled in by scripts/build. */
declare module 'mp-session-web-glue' {
  /** Loads the module; resolves with its exports (boundary.js drives them). */
  export default function init(input: { module_or_path: unknown }): Promise<unknown>
}
