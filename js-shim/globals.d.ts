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
      ensure(now: number, call: number): void
      setUserInfo(now: number, call: number, info: unknown): void
      logout(now: number, call: number): void
      deviceId(now: number, call: number): void
      request(now: number, call: number, url: string): void
      current(now: number): import('./index').Session | null
      loginDone(now: number, op: number, code: unknown, errMsg: unknown): void
      postDone(now: number, op: number, status: number, data: unknown): void
      postFailed(now: number, op: number, errMsg: unknown): void
      responded(now: number, op: number, rejected: boolean): void
      requestFailed(now: number, op: number): void
      sessionRead(now: number, op: number, value: unknown): void
      deviceIdRead(now: number, op: number, value: unknown): void
      saved(now: number, op: number, failed: boolean, errMsg: unknown): void
      timeout(now: number): void
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
