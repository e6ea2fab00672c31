// Declarations that let `tsc --checkJs` check the shim (scripts/test runs it).

/** The mini-program's API object, when the shim runs inside WeChat. */
declare const wx: import('./index').WxLike | undefined

/** WeChat's WebAssembly loader: a path inside the code package, never bytes. */
declare const WXWebAssembly: {
  instantiate(path: string, imports: object): Promise<WebAssembly.Instance | { instance: WebAssembly.Instance }>
}

/** The wasm-bindgen glue, bundled in by scripts/build: each call gives a fresh copy. */
declare module 'mp-session-glue' {
  interface Glue {
    __wbg_set_wasm(exports: WebAssembly.Exports): void
    Driver: new (host: object, options: object, entropy: Uint8Array, asyncStorage: boolean) => {
      ensure(call: number): void
      setUserInfo(call: number, info: unknown): void
      logout(call: number): void
      deviceId(call: number): void
      request(call: number, url: string): void
      current(): import('./index').Session | null
      loginDone(op: number, code: unknown): void
      postDone(op: number, status: number, data: unknown): void
      postFailed(op: number): void
      responded(op: number, rejected: boolean): void
      requestFailed(op: number): void
      timerFired(timer: number): void
      free(): void
    }
  }
  function createGlue(): Glue
  export = createGlue
}

/** The wasm-bindgen glue of the web build (`--target web`), bundled in by scripts/build. */
declare module 'mp-session-web-glue' {
  export default function init(input: { module_or_path: unknown }): Promise<unknown>
  export const Driver: {
    newWeb(host: object, options: object, webOptions: object, entropy: Uint8Array): object
  }
}
