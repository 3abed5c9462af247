// The one function the studio uses from async-exit-hook (it ships no types).
declare module "async-exit-hook" {
  const asyncExitHook: { unhookEvent(event: string): void };
  export default asyncExitHook;
}
